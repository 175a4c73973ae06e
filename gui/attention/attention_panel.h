#pragma once
// "Attention" tab: the attention-map grid (gui/attention) for the selected run, following its newest
// probe snapshot or a snapshot picked on the slider (or the timeline), optionally as a difference: against
// the previous snapshot, against the step pinned as A on the timeline (B − A), or against another open run
// at the same step or at step A. Runs whose maps differ in shape are refused with a warning.
#include "core/probe/snapshot.h"
#include "gui/attention/difference_target.h"

#include <QWidget>

class AttentionGridView;
class QCheckBox;
class QComboBox;
class QLabel;

namespace attnscope::gui {

class ChartCaption;

class PinSlider;
class RunRegistry;

class AttentionPanel : public QWidget {
    Q_OBJECT
public:
    explicit AttentionPanel(RunRegistry& registry, QWidget* parent = nullptr);

    AttentionGridView* grid() const { return m_grid; }
    SnapshotPtr shownSnapshot() const { return m_shown; }
    SnapshotPtr comparedSnapshot() const { return m_other; } // null while no difference is drawn
    void showStep(int step); // snapshot at or before `step` of the selected run

    // Picks a comparison choice; false when it is not offered (e.g. `run` is not open).
    bool setCompare(CompareTo kind, int run = 0);
    CompareTo compareKind() const;
    int compareRun() const;
    // The difference drawn now (run 0 when none), as the export dialog pre-selects it.
    const DifferenceTarget& difference() const { return m_target; }

signals:
    // The user moved this tab's snapshot slider to the snapshot of `step` (not emitted for showStep() or
    // following new data), so the timeline and every other view can follow.
    void stepPicked(int step);

private:
    void syncSteps();   // slider range follows the selected run's snapshots
    void syncChoices(); // comparison choices follow the open runs and the pin
    void refresh();     // show the slider's snapshot (only when it changed)
    void updateComparison();
    void onSelectionChanged(int id);
    void onPinChanged(int id);

    RunRegistry& m_registry;
    AttentionGridView* m_grid;
    PinSlider* m_step;
    bool m_applyingStep = false; // showStep() is moving the slider
    QCheckBox* m_follow;
    QLabel* m_stepLabel;
    QComboBox* m_probe; // text probe or the induction probe (ProbeSnapshot::induction)
    QComboBox* m_compare;
    ChartCaption* m_caption;
    SnapshotPtr m_shown, m_other;
    DifferenceTarget m_target;
    int m_shownRun = 0;
    int m_previousSelection = 0;
};

} // namespace attnscope::gui
