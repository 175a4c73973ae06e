#pragma once
// "Attention" tab: the attention-map grid (gui/attention) for the selected run, following its newest
// probe snapshot or a snapshot picked on the slider, optionally as a difference against the previous
// snapshot or against another run at the same step (A/B).
#include "core/probe/snapshot.h"

#include <QWidget>

class AttentionGridView;
class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;

namespace attnscope::gui {

class RunRegistry;

class AttentionPanel : public QWidget {
    Q_OBJECT
public:
    explicit AttentionPanel(RunRegistry& registry, QWidget* parent = nullptr);

    AttentionGridView* grid() const { return m_grid; }
    SnapshotPtr shownSnapshot() const { return m_shown; }
    void showStep(int step); // snapshot at or before `step` of the selected run

private:
    void syncSteps();   // slider range follows the selected run's snapshots
    void syncChoices(); // comparison choices follow the open runs
    void refresh();     // show the slider's snapshot (only when it changed)
    void updateComparison();

    RunRegistry& m_registry;
    AttentionGridView* m_grid;
    QSlider* m_step;
    QCheckBox* m_follow;
    QLabel* m_stepLabel;
    QComboBox* m_compare;
    SnapshotPtr m_shown, m_other;
    int m_shownRun = 0;
};

} // namespace attnscope::gui
