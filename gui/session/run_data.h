#pragma once
// GUI-side record of one run, live or loaded from a file. Owned by RunRegistry and touched only on the GUI
// thread. The vectors are append-only while a run trains, so views keep their own cursors into them and
// consume only what is new on every update instead of rebuilding their plots.
#include "core/data/tokenizer.h"
#include "core/probe/snapshot.h"
#include "core/train/run_spec.h"

#include <QColor>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <vector>

namespace attnscope::gui {

struct RunData {
    int id = 0;
    QString name;     // unique among open runs (RunRegistry); the user may rename it
    QStringList tags; // the user's labels ("baseline", "paper fig 2"); kept in the workspace
    RunSpec spec;
    std::shared_ptr<const Tokenizer> tokenizer; // labels for probe tokens; never null once registered
    QColor color;
    bool visible = true;
    bool live = false; // owned by a TrainingSession (may already have finished)
    int threads = 0;   // live runs: the OpenMP threads training uses now (the app rebalances them)
    QString filePath;  // run file being written (live) or read (loaded)

    RunStatus status = RunStatus::Created;
    int statusStep = 0;
    QString statusMessage;

    std::vector<StepRecord> steps;      // every step, in order
    std::vector<SnapshotPtr> snapshots; // every probe snapshot, in order
    std::vector<Event> events;
    std::vector<EvalRecord> evals;
    // Step A of the timeline's "pin A against B" (a recorded snapshot step). One per run, because runs
    // record different steps; it goes away with the run.
    std::optional<int> pinnedStep;
    std::vector<int> checkpointSteps; // ascending; the checkpoints themselves stay in the run file

    int lastStep() const { return steps.empty() ? 0 : steps.back().step; }
    int totalSteps() const { return spec.train.steps; }
    SnapshotPtr latestSnapshot() const { return snapshots.empty() ? nullptr : snapshots.back(); }
    // The snapshot recorded at or before `step` (the first one if none is that early); null when none.
    SnapshotPtr snapshotAt(int step) const;
    // "training", "paused", "finished", "diverged at step N", ... as shown in the Runs panel.
    QString statusText() const;
    bool isActive() const { return status == RunStatus::Training || status == RunStatus::Paused; }
};

} // namespace attnscope::gui
