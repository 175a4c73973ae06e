#include "gui/attention/attention_panel.h"

#include "gui/attention/attention_grid_view.h"
#include "gui/session/run_registry.h"
#include "gui/session/snapshot_map_cache.h"
#include "gui/widgets/chart_help.h"
#include "gui/widgets/pin_slider.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPoint>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <algorithm>

namespace attnscope::gui {

namespace {

// Combo item data: (choice, run id).
QVariant choice(CompareTo kind, int run = 0) {
    return QPoint(int(kind), run);
}

} // namespace

AttentionPanel::AttentionPanel(RunRegistry& registry, QWidget* parent)
    : QWidget(parent), m_registry(registry) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    m_step = new PinSlider(this);
    m_step->setObjectName("attentionStep");
    m_follow = new QCheckBox(tr("follow latest"), this);
    m_follow->setChecked(true);
    m_stepLabel = new QLabel(this);
    m_stepLabel->setMinimumWidth(110);
    m_compare = new QComboBox(this);
    m_compare->setObjectName("attentionCompare");
    m_compare->setMinimumContentsLength(22);
    m_compare->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_compare->setToolTip(tr("Maps show the snapshot on screen (B) minus this one. Pin A on the timeline "
                             "(key A) to compare two steps of a run."));
    m_probe = new QComboBox(this);
    m_probe->setObjectName("attentionProbe");
    m_probe->addItem(tr("text probe"));
    m_probe->addItem(tr("induction probe"));
    m_probe->setToolTip(
        tr("Which probe's maps to show: the run's text probe, or the induction probe (random "
           "tokens, then the same tokens again) on which induction heads show their diagonal."));
    connect(m_probe, &QComboBox::currentIndexChanged, this, [this] {
        m_shown.reset();
        refresh();
    });
    bar->addWidget(m_probe);
    bar->addWidget(new QLabel(tr("Snapshot"), this));
    bar->addWidget(m_step, 1);
    bar->addWidget(m_stepLabel);
    bar->addWidget(m_follow);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Difference against"), this));
    bar->addWidget(m_compare);
    layout->addLayout(bar);
    m_grid = new AttentionGridView(this);
    layout->addWidget(m_grid, 1);
    m_caption = new ChartCaption(QStringLiteral("attention-map"), this);
    layout->addWidget(m_caption);
    // Right-click on the maps: the window's File › Export figure, the one export path (figures library).
    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QAction* exportFigure = window()->findChild<QAction*>(QStringLiteral("exportFigure"));
        if (!exportFigure) return;
        QMenu menu(this);
        menu.addAction(exportFigure); // choosing it triggers the window's action
        menu.exec(mapToGlobal(pos));
    });

    connect(m_step, &QSlider::valueChanged, this, [this](int v) {
        const QSignalBlocker block(m_follow);
        m_follow->setChecked(v == m_step->maximum());
        refresh();
        if (!m_applyingStep && m_shown) emit stepPicked(m_shown->step);
    });
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on) m_step->setValue(m_step->maximum());
    });
    connect(m_compare, &QComboBox::currentIndexChanged, this, [this] { updateComparison(); });
    connect(&registry, &RunRegistry::selectionChanged, this, &AttentionPanel::onSelectionChanged);
    connect(&registry, &RunRegistry::pinChanged, this, &AttentionPanel::onPinChanged);
    // Only the slider follows new data: rebuilding the combo at 30 Hz would close its open popup.
    connect(&registry, &RunRegistry::dataAppended, this, [this](int id) {
        if (id == m_registry.selectedId()) syncSteps();
    });
    // Maps read in the background (a large run keeps only its metrics in memory): show them when they arrive.
    connect(&registry.mapCache(), &SnapshotMapCache::ready, this, [this] { refresh(); });
    connect(&registry.mapCache(), &SnapshotMapCache::failed, this,
            [this](const QString&, int step, const QString& message) {
                m_stepLabel->setText(tr("step %1: maps not read").arg(step));
                m_stepLabel->setToolTip(message);
            });
    for (auto signal : {&RunRegistry::runAdded, &RunRegistry::runRemoved, &RunRegistry::appearanceChanged})
        connect(&registry, signal, this, [this] {
            syncChoices();
            syncSteps();
        });
    m_previousSelection = registry.selectedId();
    syncChoices();
    syncSteps();
}

void AttentionPanel::showStep(int step) {
    const RunData* run = m_registry.selected();
    if (!run || run->snapshots.empty()) return;
    m_applyingStep = true;
    m_step->setValue(snapshotIndexAt(run->snapshots, step));
    m_applyingStep = false;
}

bool AttentionPanel::setCompare(CompareTo kind, int run) {
    const int index = m_compare->findData(choice(kind, run));
    if (index < 0) return false;
    m_compare->setCurrentIndex(index);
    return true;
}

CompareTo AttentionPanel::compareKind() const {
    return CompareTo(m_compare->currentData().toPoint().x());
}
int AttentionPanel::compareRun() const {
    return m_compare->currentData().toPoint().y();
}

void AttentionPanel::onSelectionChanged(int id) {
    // Comparing X against Y and then selecting Y: keep the pair, now as Y against X.
    if (compareRun() == id && m_previousSelection != 0 && m_registry.find(m_previousSelection)) {
        const CompareTo kind = compareKind();
        syncChoices();
        setCompare(kind, m_previousSelection);
    }
    m_previousSelection = id;
    m_follow->setChecked(true);
    syncChoices();
    syncSteps();
    // A difference that cannot apply to this run (no pin, another shape, no other snapshot) does not carry
    // over: the maps go back to plain instead of showing a warning the user did not ask for here.
    if (compareKind() != CompareTo::Nothing && !m_other) setCompare(CompareTo::Nothing);
}

void AttentionPanel::onPinChanged(int id) {
    if (id != m_registry.selectedId()) return;
    syncChoices(); // the choices name step A
    const RunData* run = m_registry.selected();
    // Pinning says "compare against this step": show it at once unless another difference is on.
    if (run && run->pinnedStep && compareKind() == CompareTo::Nothing) setCompare(CompareTo::Pinned);
    syncSteps();
}

void AttentionPanel::syncSteps() {
    const RunData* run = m_registry.selected();
    {
        const QSignalBlocker block(m_step);
        m_step->setRange(0, run ? std::max(0, int(run->snapshots.size()) - 1) : 0);
        if (m_follow->isChecked()) m_step->setValue(m_step->maximum());
        m_step->setPinValue(run && run->pinnedStep ? snapshotIndexAt(run->snapshots, *run->pinnedStep) : -1);
    }
    refresh();
}

void AttentionPanel::syncChoices() {
    const RunData* run = m_registry.selected();
    const QString a = run && run->pinnedStep ? tr("step A = %1").arg(*run->pinnedStep) : tr("step A");
    const QSignalBlocker block(m_compare);
    const QVariant current = m_compare->currentData();
    m_compare->clear();
    m_compare->addItem(tr("nothing (plain maps)"), choice(CompareTo::Nothing));
    m_compare->addItem(tr("previous snapshot"), choice(CompareTo::Previous));
    m_compare->addItem(run && run->pinnedStep ? tr("pinned %1").arg(a)
                                              : tr("pinned step A (none yet: key A)"),
                       choice(CompareTo::Pinned));
    for (const auto& other : m_registry.runs()) {
        if (run && other->id == run->id) continue;
        m_compare->addItem(tr("run “%1”, same step").arg(other->name),
                           choice(CompareTo::RunSameStep, other->id));
        m_compare->addItem(tr("run “%1” at %2").arg(other->name, a), choice(CompareTo::RunPinned, other->id));
    }
    const int index = m_compare->findData(current);
    m_compare->setCurrentIndex(index >= 0 ? index : 0);
}

void AttentionPanel::refresh() {
    const RunData* run = m_registry.selected();
    const int index = m_step->value();
    const SnapshotPtr light =
        run && index < int(run->snapshots.size()) ? run->snapshots[std::size_t(index)] : nullptr;
    const bool induction = m_probe->currentIndex() == 1;
    m_stepLabel->setText(
        light ? tr("step %1 (%2/%3)").arg(light->step).arg(index + 1).arg(run->snapshots.size())
              : tr("no snapshot yet"));
    m_stepLabel->setToolTip(QString());
    m_step->update(); // the A–B band follows the handle
    const int runId = run ? run->id : 0;
    const SnapshotPtr full = light ? m_registry.mapCache().withMaps(run->filePath, light) : nullptr;
    if (light && !full) { // read in the background; the previous maps stay until these arrive
        m_stepLabel->setText(tr("step %1: reading maps…").arg(light->step));
        return;
    }
    // The induction probe's maps come with the snapshot's (core/data/induction_probe.h).
    const SnapshotPtr snap = full && induction ? full->induction : full;
    if (full && !snap) m_stepLabel->setText(tr("no induction probe in this run"));
    if (snap == m_shown && runId == m_shownRun) {
        updateComparison();
        return;
    }
    m_shown = snap;
    m_shownRun = runId;
    // The grid keeps its own copy of the labels, so the tokenizer only has to live through this call.
    if (snap)
        m_grid->setSnapshot(snap, run->tokenizer.get(), run->spec.model);
    else
        m_grid->setSnapshot(nullptr, nullptr, run ? run->spec.model : ModelConfig{});
    updateComparison();
}

void AttentionPanel::updateComparison() {
    const RunData* run = m_registry.selected();
    m_target =
        run ? resolveDifference(m_registry, *run, m_shown, compareKind(), compareRun()) : DifferenceTarget{};
    m_other = m_target.snapshot;
    const RunData* otherRun = m_target.run ? m_registry.find(m_target.run) : run;
    if (m_other && otherRun) m_other = m_registry.mapCache().withMaps(otherRun->filePath, m_other);
    // The induction probe is compared with the other snapshot's induction probe.
    bool noInduction = false;
    if (m_other && m_probe->currentIndex() == 1) {
        m_other = m_other->induction;
        noInduction = !m_other;
    }
    if (m_target.snapshot && !m_other) { // its maps are being read: plain maps until they arrive
        m_target.warning = noInduction ? tr("%1 has no induction probe").arg(m_target.label)
                                       : tr("reading the maps of %1…").arg(m_target.label);
        m_target.snapshot = nullptr;
    } else {
        m_target.snapshot = m_other;
    }
    m_grid->setComparison(m_other, m_target.label, m_target.note);
    m_grid->setComparisonWarning(m_target.warning);
    m_caption->setKey(m_other ? QStringLiteral("attention-difference") : QStringLiteral("attention-map"));
}

} // namespace attnscope::gui
