#include "gui/probe/probe_text_panel.h"

#include "core/hf/hf_import.h"
#include "gui/probe/checkpoint_choice.h"
#include "gui/probe/probe_presets.h"
#include "gui/probe/probe_result_view.h"
#include "gui/probe/text_probe_runner.h"
#include "gui/session/run_registry.h"
#include "gui/session/thread_budget.h"
#include "gui/widgets/chart_help.h"
#include "gui/widgets/step_timeline.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QThread>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace attnscope::gui {

namespace {
constexpr const char* kError = "#b3261e";
constexpr const char* kWarning = "#8a5a00";
constexpr const char* kInfo = "#505050";

QLabel* messageLabel(QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText); // token names such as <bos> must not be read as HTML
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}
} // namespace

ProbeTextPanel::ProbeTextPanel(RunRegistry& registry, StepTimeline& timeline, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_timeline(timeline), m_presets(new QComboBox(this)),
      m_text(new QPlainTextEdit(this)), m_probe(new QPushButton(tr("Probe"), this)),
      m_follow(new QCheckBox(tr("Follow the timeline"), this)), m_checkpoint(messageLabel(this)),
      m_input(messageLabel(this)), m_message(messageLabel(this)), m_result(new ProbeResultView(this)),
      m_runner(new TextProbeRunner(this)) {
    m_text->setPlaceholderText(
        tr("Type a text in the run's vocabulary, or pick a preset; Ctrl+Enter probes it"));
    m_text->setTabChangesFocus(true);
    m_text->setFixedHeight(m_text->fontMetrics().lineSpacing() * 4 + 12);
    m_probe->setDefault(true);
    m_probe->setToolTip(
        tr("Run the text through the checkpoint nearest to the timeline's step (Ctrl+Enter)"));
    m_follow->setToolTip(tr("Probe the text again when another run or a step with another checkpoint is "
                            "selected (after a first probe)"));
    m_presets->setToolTip(tr("Starting texts written in the selected run's vocabulary"));

    auto* input = new QGridLayout;
    input->addWidget(new QLabel(tr("Text"), this), 0, 0);
    input->addWidget(m_presets, 0, 1, Qt::AlignLeft);
    input->addWidget(m_text, 1, 0, 1, 2);
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_probe);
    buttons->addWidget(m_follow);
    buttons->addStretch(1);
    input->addLayout(buttons, 1, 2);
    input->setColumnStretch(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 4);
    layout->addLayout(input);
    auto* status = new QFormLayout;
    status->setContentsMargins(0, 2, 0, 2);
    status->setVerticalSpacing(2);
    status->addRow(tr("Input"), m_input);
    status->addRow(tr("Checkpoint"), m_checkpoint);
    status->addRow(tr("Result"), m_message);
    layout->addLayout(status);
    layout->addWidget(m_result, 1);
    layout->addWidget(new ChartCaption(QStringLiteral("probe-text"), this));

    setMessage(m_message, tr("Nothing probed yet: press Probe (Ctrl+Enter)."), kInfo);

    connect(m_probe, &QPushButton::clicked, this, &ProbeTextPanel::probe);
    auto* shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), m_text);
    shortcut->setWhatsThis(tr("Probe text: probe the typed text (in the text field)"));
    connect(shortcut, &QShortcut::activated, this, &ProbeTextPanel::probe);
    connect(m_text, &QPlainTextEdit::textChanged, this, &ProbeTextPanel::checkInput);
    connect(m_presets, &QComboBox::activated, this, [this](int index) {
        if (index <= 0) return;
        setText(m_presets->itemData(index).toString());
        m_presets->setCurrentIndex(0);
    });
    connect(m_runner, &TextProbeRunner::finished, this, &ProbeTextPanel::showOutcome);
    connect(&timeline, &StepTimeline::stepChanged, this, &ProbeTextPanel::syncChoice);
    connect(&registry, &RunRegistry::selectionChanged, this, &ProbeTextPanel::syncRun);
    connect(&registry, &RunRegistry::statusChanged, this, &ProbeTextPanel::syncChoice);
    connect(&registry, &RunRegistry::dataAppended, this, [this](int id) {
        if (id != m_registry.selectedId()) return;
        const RunData* run = m_registry.selected();
        if (!m_presetsHaveRecorded && !run->snapshots.empty()) rebuildPresets(run); // its first snapshot
        syncChoice(); // a live run may have written a checkpoint
    });
    connect(&registry, &RunRegistry::runRemoved, this, [this](int id) {
        if (id == m_shownRun) m_result->clear(), m_shownRun = 0;
        syncRun();
    });
    syncRun();
}

void ProbeTextPanel::setText(const QString& text) {
    m_text->setPlainText(text);
}

QString ProbeTextPanel::checkpointText() const {
    return m_checkpoint->text();
}
QString ProbeTextPanel::inputText() const {
    return m_input->text();
}
QString ProbeTextPanel::messageText() const {
    return m_message->text();
}

void ProbeTextPanel::setMessage(QLabel* label, const QString& text, const char* colour) {
    label->setText(text);
    label->setStyleSheet(QStringLiteral("color: %1").arg(QLatin1String(colour)));
}

void ProbeTextPanel::syncRun() {
    const RunData* run = m_registry.selected();
    if ((run ? run->id : 0) != m_presetRun) rebuildPresets(run);
    checkInput();
    // Another run's probe must not stay on screen as if it were this run's when this one cannot be probed.
    const CheckpointChoice c = chooseCheckpoint(run, m_timeline.step());
    if (m_result->hasResult() && m_shownRun != (run ? run->id : 0) && !(m_canProbe && c.usable())) {
        m_result->clear();
        m_shownRun = 0;
        setMessage(m_message, run ? tr("“%1” cannot be probed: %2").arg(run->name, c.text) : QString(),
                   kWarning);
    }
}

void ProbeTextPanel::rebuildPresets(const RunData* run) {
    m_presetRun = run ? run->id : 0;
    m_presetsHaveRecorded = false;
    m_presets->clear();
    m_presets->addItem(tr("Presets…"));
    if (!run || !run->tokenizer) return m_presets->setEnabled(false);
    const std::vector<std::int32_t> recorded =
        run->snapshots.empty() ? std::vector<std::int32_t>() : run->snapshots.front()->tokens;
    m_presetsHaveRecorded = !recorded.empty();
    const bool imported = isImportedModelRun(*run);
    const hf::BpeTokenizer* modelTokenizer = imported ? m_imported.forRun(*run, nullptr) : nullptr;
    const std::vector<ProbePreset> presets =
        imported
            ? (modelTokenizer ? importedProbePresets(*modelTokenizer, recorded, run->spec.model.context)
                              : std::vector<ProbePreset>())
            : probePresets(*run->tokenizer, recorded, probeTokenLimit(run->spec.model), run->spec.data.bos);
    for (const ProbePreset& p : presets) {
        m_presets->addItem(p.name, p.text);
        m_presets->setItemData(m_presets->count() - 1, p.why, Qt::ToolTipRole);
    }
    m_presets->setEnabled(m_presets->count() > 1);
    if (imported) {
        m_text->setToolTip(tr("Any text: the model's own tokenizer.json encodes it (%1 tokens)")
                               .arg(run->tokenizer->vocabSize()));
    } else {
        QStringList vocabulary;
        for (std::int32_t id = 2; id < run->tokenizer->vocabSize(); ++id)
            vocabulary << QString::fromStdString(run->tokenizer->display(id));
        m_text->setToolTip(tr("Vocabulary of “%1” (%2 tokens besides <unk> and <bos>):\n%3")
                               .arg(run->name)
                               .arg(vocabulary.size())
                               .arg(vocabulary.join(QLatin1Char(' '))));
    }
    // An empty box starts with the induction preset: one click on Probe shows something worth seeing. A text
    // the panel filled in for another run is in that run's vocabulary: it is replaced too (a text the user
    // typed is kept).
    const QString current = m_text->toPlainText();
    if ((current.isEmpty() || current == m_autoText) && m_presets->count() > 1) {
        const int induction = m_presets->findText(QStringLiteral("Repeated"), Qt::MatchStartsWith);
        m_autoText = m_presets->itemData(induction > 0 ? induction : 1).toString();
        setText(m_autoText);
    }
}

std::optional<ProbeText> ProbeTextPanel::encoded(const RunData& run, QString* why) const {
    const std::string text = m_text->toPlainText().toStdString();
    if (text.empty()) {
        *why = tr("Type a text to probe, or pick a preset.");
        return std::nullopt;
    }
    try {
        if (isImportedModelRun(run)) {
            const hf::BpeTokenizer* tokenizer = m_imported.forRun(run, why);
            if (!tokenizer) return std::nullopt;
            return hf::encodeHfProbeText(*tokenizer, text, run.spec.model.context);
        }
        return encodeProbeInput(*run.tokenizer, text, run.spec.model, run.spec.data.bos);
    } catch (const std::exception& e) {
        *why = QString::fromStdString(e.what());
        return std::nullopt;
    }
}

void ProbeTextPanel::checkInput() {
    const RunData* run = m_registry.selected();
    m_canProbe = false;
    if (!run || !run->tokenizer) {
        setMessage(m_input, {}, kInfo);
    } else {
        QString why;
        const std::optional<ProbeText> p = encoded(*run, &why);
        if (!p) {
            setMessage(m_input, why, kError);
        } else {
            m_canProbe = true;
            const ModelConfig& model = run->spec.model;
            QStringList notes{
                tr("%1 tokens of at most %2%3")
                    .arg(p->tokens.size())
                    .arg(p->limit)
                    .arg(run->spec.data.bos ? tr(" (<bos> first, as in training)") : QString())};
            if (p->unknown > 0) {
                QStringList chars;
                for (const std::string& c : p->unknownCharacters)
                    chars << QStringLiteral("“%1”").arg(QString::fromStdString(c));
                notes << tr("%1 character(s) not in the run's vocabulary, read as <unk>: %2")
                             .arg(p->unknown)
                             .arg(chars.join(QStringLiteral(", ")));
            }
            if (p->dropped > 0)
                notes << tr("too long: the last %1 tokens are cut off (%2)")
                             .arg(p->dropped)
                             .arg(model.position == PositionScheme::Learned
                                      ? tr("the model has %1 learned positions").arg(model.context)
                                      : tr("at most %1 tokens are probed").arg(p->limit));
            if (int(p->tokens.size()) > model.context)
                notes << tr("positions past %1 are beyond the training context (extrapolation)")
                             .arg(model.context);
            const bool warn = p->unknown > 0 || p->dropped > 0;
            setMessage(m_input, notes.join(QStringLiteral(" · ")), warn ? kWarning : kInfo);
        }
    }
    syncChoice();
}

void ProbeTextPanel::syncChoice() {
    const RunData* run = m_registry.selected();
    const CheckpointChoice c = chooseCheckpoint(run, m_timeline.step());
    setMessage(m_checkpoint, c.text, c.usable() ? kInfo : kWarning);
    m_probe->setEnabled(m_canProbe && c.usable());
    // Following: probe again only for a question not asked yet (the run or its checkpoint changed).
    if (m_follow->isChecked() && m_result->hasResult() && m_canProbe && c.usable() &&
        (run->id != m_followRun || c.step != m_followStep))
        probe();
}

void ProbeTextPanel::probe() {
    const RunData* run = m_registry.selected();
    const CheckpointChoice c = chooseCheckpoint(run, m_timeline.step());
    QString why = c.text;
    const std::optional<ProbeText> p = c.usable() ? encoded(*run, &why) : std::nullopt;
    if (!p) {
        setMessage(m_message, why, kError);
        emit probeFinished(false);
        return;
    }
    TextProbeRequest request;
    request.runId = run->id;
    request.filePath = run->filePath;
    request.selectedStep = m_timeline.step();
    request.tokens = p->tokens;
    request.vocabulary = run->tokenizer->vocabSize();
    request.modelFolder = c.modelFolder;
    request.modelStep = c.step;
    const int training = int(std::count_if(m_registry.runs().begin(), m_registry.runs().end(),
                                           [](const auto& r) { return r->status == RunStatus::Training; }));
    request.threads = threadsForRun(0, training, QThread::idealThreadCount());
    m_followRun = run->id;
    m_followStep = c.step;
    const bool queued = m_runner->isBusy();
    m_runner->submit(std::move(request));
    setMessage(m_message,
               queued ? tr("A probe is still running; this text is probed next.")
                      : tr("Probing %1 tokens with the %2 of step %3…")
                            .arg(p->tokens.size())
                            .arg(c.modelFolder.isEmpty() ? tr("checkpoint") : tr("model"))
                            .arg(c.step),
               kInfo);
}

void ProbeTextPanel::showOutcome(const TextProbeOutcome& outcome) {
    const RunData* run = m_registry.find(outcome.request.runId);
    if (!run) {
        setMessage(m_message, tr("The probed run was closed before its probe finished."), kWarning);
    } else if (!outcome.ok()) {
        setMessage(m_message, tr("Probe of “%1” failed: %2").arg(run->name, outcome.error), kError);
    } else {
        const TextProbeResult& r = outcome.result;
        m_result->setResult(r, run->tokenizer.get(), run->spec.model);
        m_shownRun = run->id;
        const int selected = outcome.request.selectedStep;
        const QString model = outcome.request.modelFolder.isEmpty() ? tr("checkpoint") : tr("model");
        const QString which = r.step == selected
                                  ? tr("%1 of step %2 (the selected step)").arg(model).arg(r.step)
                                  : tr("%1 of step %2 — not the selected step %3, which has no %1; this is "
                                       "the nearest")
                                        .arg(model)
                                        .arg(r.step)
                                        .arg(selected);
        const double uniform = std::log(double(run->tokenizer->vocabSize()));
        setMessage(m_message,
                   tr("“%1”, %2 · %3 tokens · mean next-token loss %4 nats (uniform guess %5) · %6")
                       .arg(run->name, which)
                       .arg(r.snapshot->length)
                       .arg(std::isfinite(r.meanLoss) ? QString::number(r.meanLoss, 'f', 3) : tr("—"))
                       .arg(uniform, 0, 'f', 2)
                       .arg(outcome.seconds < 1 ? tr("%1 ms").arg(std::lround(outcome.seconds * 1000))
                                                : tr("%1 s").arg(outcome.seconds, 0, 'f', 2)),
                   r.step == selected ? kInfo : kWarning); // a different step must not go unnoticed
    }
    emit probeFinished(run && outcome.ok());
}

} // namespace attnscope::gui
