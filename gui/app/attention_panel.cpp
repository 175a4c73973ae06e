#include "gui/app/attention_panel.h"

#include "gui/attention/attention_grid_view.h"
#include "gui/session/run_registry.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>
#include <algorithm>

namespace attnscope::gui {

namespace {
constexpr int kComparePrevious = -1; // combo data; 0 = off, > 0 = run id
}

AttentionPanel::AttentionPanel(RunRegistry& registry, QWidget* parent)
    : QWidget(parent), m_registry(registry) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    m_step = new QSlider(Qt::Horizontal, this);
    m_step->setObjectName("attentionStep");
    m_follow = new QCheckBox(tr("follow latest"), this);
    m_follow->setChecked(true);
    m_stepLabel = new QLabel(this);
    m_stepLabel->setMinimumWidth(110);
    m_compare = new QComboBox(this);
    m_compare->setObjectName("attentionCompare");
    m_compare->setMinimumContentsLength(18);
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

    connect(m_step, &QSlider::valueChanged, this, [this](int v) {
        const QSignalBlocker block(m_follow);
        m_follow->setChecked(v == m_step->maximum());
        refresh();
    });
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on) m_step->setValue(m_step->maximum());
    });
    connect(m_compare, &QComboBox::currentIndexChanged, this, [this] { updateComparison(); });
    connect(&registry, &RunRegistry::selectionChanged, this, [this] {
        m_follow->setChecked(true);
        syncChoices();
        syncSteps();
    });
    // Only the slider follows new data: rebuilding the combo at 30 Hz would close its open popup.
    connect(&registry, &RunRegistry::dataAppended, this, [this](int id) {
        if (id == m_registry.selectedId()) syncSteps();
    });
    for (auto signal : {&RunRegistry::runAdded, &RunRegistry::runRemoved, &RunRegistry::appearanceChanged})
        connect(&registry, signal, this, [this] {
            syncChoices();
            syncSteps();
        });
    syncChoices();
    syncSteps();
}

void AttentionPanel::showStep(int step) {
    const RunData* run = m_registry.selected();
    if (!run || run->snapshots.empty()) return;
    const auto it = std::find(run->snapshots.begin(), run->snapshots.end(), run->snapshotAt(step));
    m_step->setValue(int(it - run->snapshots.begin()));
}

void AttentionPanel::syncSteps() {
    const RunData* run = m_registry.selected();
    {
        const QSignalBlocker block(m_step);
        m_step->setRange(0, run ? std::max(0, int(run->snapshots.size()) - 1) : 0);
        if (m_follow->isChecked()) m_step->setValue(m_step->maximum());
    }
    refresh();
}

void AttentionPanel::syncChoices() {
    const RunData* run = m_registry.selected();
    {
        const QSignalBlocker block(m_compare);
        const QVariant current = m_compare->currentData();
        m_compare->clear();
        m_compare->addItem(tr("nothing (plain maps)"), 0);
        m_compare->addItem(tr("previous snapshot"), kComparePrevious);
        for (const auto& other : m_registry.runs())
            if (!run || other->id != run->id)
                m_compare->addItem(tr("run “%1”, same step").arg(other->name), other->id);
        const int index = m_compare->findData(current);
        m_compare->setCurrentIndex(index >= 0 ? index : 0);
    }
}

void AttentionPanel::refresh() {
    const RunData* run = m_registry.selected();
    const int index = m_step->value();
    SnapshotPtr snap =
        run && index < int(run->snapshots.size()) ? run->snapshots[std::size_t(index)] : nullptr;
    m_stepLabel->setText(snap
                             ? tr("step %1 (%2/%3)").arg(snap->step).arg(index + 1).arg(run->snapshots.size())
                             : tr("no snapshot yet"));
    const int runId = run ? run->id : 0;
    if (snap == m_shown && runId == m_shownRun) {
        updateComparison();
        return;
    }
    m_shown = snap;
    m_shownRun = runId;
    // The grid keeps its own copy of the labels, so the tokenizer only has to live through this call.
    if (snap) m_grid->setSnapshot(snap, run->tokenizer.get(), run->spec.model);
    updateComparison();
}

void AttentionPanel::updateComparison() {
    const RunData* run = m_registry.selected();
    const int mode = m_compare->currentData().toInt();
    SnapshotPtr other;
    if (run && m_shown && mode == kComparePrevious) {
        const auto it = std::find(run->snapshots.begin(), run->snapshots.end(), m_shown);
        if (it != run->snapshots.begin() && it != run->snapshots.end()) other = *(it - 1);
    } else if (m_shown && mode > 0) {
        if (const RunData* otherRun = m_registry.find(mode)) other = otherRun->snapshotAt(m_shown->step);
    }
    if (other == m_other) return;
    m_other = other;
    m_grid->setComparison(other);
}

} // namespace attnscope::gui
