#pragma once
// GUI-side record of one run, live or loaded from a file: the core's RecordedRun (the recorded data and the
// rules that grow it) plus what the app shows about it. Owned by RunRegistry and touched only on the GUI
// thread. The vectors are append-only while a run trains, so views keep their own cursors into them and
// consume only what is new on every update instead of rebuilding their plots.
#include "core/run/recorded_run.h"

#include <QColor>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <vector>

namespace attnscope::gui {

struct RunData : RecordedRun {
    int id = 0;
    QString name;     // unique among open runs (RunRegistry); the user may rename it
    QStringList tags; // the user's labels ("baseline", "paper fig 2"); kept in the workspace
    QColor color;
    bool visible = true;
    bool live = false; // owned by a TrainingSession (may already have finished)
    int threads = 0;   // live runs: the OpenMP threads training uses now (the app rebalances them)
    QString filePath;  // run file being written (live) or read (loaded)

    // Step A of the timeline's "pin A against B" (a recorded snapshot step). One per run, because runs
    // record different steps; it goes away with the run.
    std::optional<int> pinnedStep;
    // The snapshot drawn as step A (at or before pinnedStep, as snapshotAt), or null when nothing is pinned.
    SnapshotPtr pinnedSnapshot() const { return pinnedStep ? snapshotAt(*pinnedStep) : nullptr; }
    // Snapshot steps still to be decoded from filePath (a large run opened; see loadRunFile).
    // RunRegistry::add hands them to a worker thread, which appends the snapshots in order as they are
    // decoded.
    std::vector<int> pendingSnapshots;

    int totalSteps() const { return spec.train.steps; }
    // "training", "paused", "finished", "diverged at step N", ... as shown in the Runs panel.
    QString statusText() const;
    bool isActive() const { return status == RunStatus::Training || status == RunStatus::Paused; }
};

} // namespace attnscope::gui
