#include "gui/app/new_run_panel.h"

#include "gui/app/ab_toggle.h"
#include "gui/app/data_form.h"
#include "gui/app/model_form.h"
#include "gui/app/preset_list.h"
#include "gui/app/train_form.h"
#include "gui/session/session_manager.h"
#include "gui/widgets/secondary_text.h"

#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>

namespace attnscope::gui {

NewRunPanel::NewRunPanel(SessionManager& sessions, QWidget* parent)
    : QWidget(parent), m_sessions(sessions), m_presets(presetEntries()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto* top = new QFormLayout;
    m_preset = new QComboBox(this);
    m_preset->setObjectName("preset");
    for (std::size_t i = 0; i < m_presets.size(); ++i) {
        // A separator between the single-mechanism presets and the paired experiments.
        if (i > 0 && !m_presets[i].experiment.isEmpty() && m_presets[i - 1].experiment.isEmpty())
            m_preset->insertSeparator(m_preset->count());
        m_preset->addItem(m_presets[i].id, int(i));
        m_preset->setItemData(m_preset->count() - 1, m_presets[i].description, Qt::ToolTipRole);
    }
    m_presetInfo = new QLabel(this);
    m_presetInfo->setWordWrap(true);
    m_presetInfo->setTextFormat(Qt::RichText);
    makeSecondaryText(m_presetInfo);
    m_name = new QLineEdit(this);
    m_name->setObjectName("name");
    m_description = new QLineEdit(this);
    m_description->setObjectName("description");
    m_description->setPlaceholderText(tr("optional note stored with the run"));
    top->addRow(tr("Preset"), m_preset);
    top->addRow(QString(), m_presetInfo);
    top->addRow(tr("Name"), m_name);
    top->addRow(tr("Note"), m_description);
    layout->addLayout(top);

    auto* scroll = m_formsArea = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("newRunForms"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // Rows wrap (field under its label) before the forms need more width than the panel has; only a panel
    // narrower still (presentation mode on a small screen) scrolls sideways, rather than cutting fields off.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    auto* forms = new QWidget(scroll);
    auto* formsLayout = new QVBoxLayout(forms);
    formsLayout->setContentsMargins(0, 0, 4, 0);
    m_model = new ModelForm(forms);
    m_train = new TrainForm(forms);
    m_data = new DataForm(forms);
    formsLayout->addWidget(m_model);
    formsLayout->addWidget(m_data);
    formsLayout->addWidget(m_train);
    formsLayout->addStretch(1);
    scroll->setWidget(forms);
    fitFormsWidth();
    layout->addWidget(scroll, 1);

    m_message = new QLabel(this);
    m_message->setObjectName("validationMessage");
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_message);

    m_start = new QPushButton(tr("▶ Start training"), this);
    m_start->setObjectName("start");
    m_start->setDefault(true);
    m_start->setMinimumHeight(32);
    layout->addWidget(m_start);

    m_startExperiment = new QPushButton(this);
    m_startExperiment->setObjectName("startExperiment");
    m_startExperiment->setToolTip(tr("Train every preset of this paired experiment at once, side by side."));
    m_startExperiment->hide();
    layout->addWidget(m_startExperiment);

    auto* ab = new QHBoxLayout;
    m_abToggle = new QComboBox(this);
    m_abToggle->setObjectName("abToggle");
    for (const AbToggle& t : abToggles()) m_abToggle->addItem(t.label, t.key);
    m_startAb = new QPushButton(tr("Start A/B"), this);
    m_startAb->setObjectName("startAb");
    m_startAb->setToolTip(tr("Train two runs with the same seed and data order: A without the chosen "
                             "mechanism, B with it."));
    ab->addWidget(new QLabel(tr("A/B on"), this));
    ab->addWidget(m_abToggle, 1);
    ab->addWidget(m_startAb);
    layout->addLayout(ab);

    connect(m_model, &ModelForm::edited, this, &NewRunPanel::revalidate);
    connect(m_train, &TrainForm::edited, this, &NewRunPanel::revalidate);
    connect(m_data, &DataForm::edited, this, &NewRunPanel::revalidate);
    connect(m_name, &QLineEdit::textChanged, this, &NewRunPanel::revalidate);
    connect(m_preset, &QComboBox::currentIndexChanged, this,
            [this] { selectPreset(m_preset->currentData().toInt()); });
    connect(m_start, &QPushButton::clicked, this, [this] { start(); });
    connect(m_startAb, &QPushButton::clicked, this, [this] { startAb(); });
    connect(m_startExperiment, &QPushButton::clicked, this, [this] { startExperiment(); });
    selectPreset(0);
}

NewRunPanel::~NewRunPanel() = default;

void NewRunPanel::selectPreset(int index) {
    if (index < 0 || index >= int(m_presets.size())) return;
    const int comboIndex = m_preset->findData(index);
    if (m_preset->currentIndex() != comboIndex) {
        m_preset->setCurrentIndex(comboIndex); // re-enters through currentIndexChanged
        return;
    }
    const PresetEntry& preset = m_presets[std::size_t(index)];
    m_experiment = preset.experiment;
    const std::size_t runs = experimentSpecs(m_experiment).size();
    m_presetInfo->setText(preset.experiment.isEmpty()
                              ? preset.description.toHtmlEscaped()
                              : tr("%1<br><i>Part of the paired experiment “%2” (%3 runs).</i>")
                                    .arg(preset.description.toHtmlEscaped(), m_experiment.toHtmlEscaped())
                                    .arg(runs));
    m_startExperiment->setVisible(runs > 1);
    m_startExperiment->setText(tr("Start the whole experiment (%1 runs)").arg(runs));
    setSpec(preset.spec);
}

std::vector<int> NewRunPanel::startExperiment() {
    const std::vector<RunSpec> specs = experimentSpecs(m_experiment);
    if (specs.empty()) return {};
    QString error;
    const std::vector<int> ids = m_sessions.startGroup(specs, &error);
    if (ids.empty()) {
        showMessage(tr("Could not start: %1").arg(error.toHtmlEscaped()), true);
        return ids;
    }
    showMessage(
        tr("Started the %1 runs of “%2” with the presets' settings.").arg(ids.size()).arg(m_experiment),
        false);
    emit runsStarted(QList<int>(ids.begin(), ids.end()));
    return ids;
}

RunSpec NewRunPanel::spec() const {
    RunSpec s = m_base;
    s.name = m_name->text().trimmed().toStdString();
    s.description = m_description->text().toStdString();
    m_model->apply(s.model);
    m_train->apply(s.train);
    m_data->apply(s.data);
    return s;
}

void NewRunPanel::setSpec(const RunSpec& spec) {
    m_base = spec;
    m_name->setText(QString::fromStdString(spec.name));
    m_description->setText(QString::fromStdString(spec.description));
    m_description->setCursorPosition(0); // show the beginning of a long note
    m_model->setConfig(spec.model);
    m_train->setConfig(spec.train);
    m_data->setConfig(spec.data);
    revalidate();
}

QString NewRunPanel::message() const {
    return m_message->text();
}

void NewRunPanel::revalidate() {
    m_problems.clear();
    for (const std::string& p : spec().validate()) m_problems << QString::fromStdString(p);
    const bool ok = m_problems.isEmpty();
    m_start->setEnabled(ok);
    m_startAb->setEnabled(ok);
    m_startExperiment->setEnabled(ok); // the form shows the experiment's first preset: fix it first
    if (ok) {
        showMessage(QString(), false);
        return;
    }
    QString items;
    for (const QString& p : m_problems) items += QStringLiteral("<li>%1</li>").arg(p.toHtmlEscaped());
    showMessage(tr("Fix before starting:") + QStringLiteral("<ul style='margin:0'>%1</ul>").arg(items), true);
}

void NewRunPanel::showMessage(const QString& text, bool error) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    m_message->setStyleSheet(
        error ? QStringLiteral("QLabel { color: #8a1010; background: #fdecea; "
                               "border: 1px solid #f5c2c0; border-radius: 3px; padding: 4px; }")
              : QStringLiteral("QLabel { color: #1d5c2e; padding: 4px; }"));
}

int NewRunPanel::start() {
    revalidate();
    if (!m_problems.isEmpty()) return 0;
    QString error;
    const int id = m_sessions.start(spec(), &error);
    if (id == 0) {
        showMessage(tr("Could not start: %1").arg(error.toHtmlEscaped()), true);
        return 0;
    }
    showMessage(tr("Started “%1”.").arg(m_name->text().toHtmlEscaped()), false);
    emit runsStarted({id});
    return id;
}

std::pair<int, int> NewRunPanel::startAb() {
    revalidate();
    if (!m_problems.isEmpty()) return {0, 0};
    const auto [a, b] = abPair(spec(), m_abToggle->currentData().toString());
    QStringList problems;
    for (const RunSpec* s : {&a, &b})
        for (const std::string& p : s->validate()) problems << QString::fromStdString(s->name + ": " + p);
    if (!problems.isEmpty()) {
        showMessage(tr("The A/B pair is not valid: %1").arg(problems.join("; ").toHtmlEscaped()), true);
        return {0, 0};
    }
    QString error;
    const auto ids = m_sessions.startPair(a, b, &error);
    if (ids.first == 0) {
        showMessage(tr("Could not start: %1").arg(error.toHtmlEscaped()), true);
        return ids;
    }
    showMessage(tr("Started A/B pair on %1 (same seed and data order).").arg(m_abToggle->currentText()),
                false);
    emit runsStarted({ids.first, ids.second});
    return ids;
}

// As wide as the widest (wrapped) form row plus the vertical scroll bar, so nothing is cut and nothing
// scrolls sideways; again when presentation mode changes the font.
void NewRunPanel::fitFormsWidth() {
    m_formsArea->setMinimumWidth(m_formsArea->widget()->minimumSizeHint().width() +
                                 m_formsArea->verticalScrollBar()->sizeHint().width() + 2);
}

void NewRunPanel::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) fitFormsWidth();
}

} // namespace attnscope::gui
