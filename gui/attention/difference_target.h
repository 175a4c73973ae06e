#pragma once
// What a difference view subtracts, resolved against the open runs: the choice (previous snapshot, the
// pinned step A, another run at the same step or at A) becomes one snapshot plus the words that describe
// it, or a warning saying why nothing can be drawn. The attention tab draws it; the export dialog starts
// from it, so the exported figure is the difference on screen.
#include "core/probe/snapshot.h"

#include <QString>

namespace attnscope::gui {

class RunRegistry;
struct RunData;

enum class CompareTo { Nothing, Previous, Pinned, RunSameStep, RunPinned };

struct DifferenceTarget {
    SnapshotPtr snapshot; // subtracted from the shown maps; null when no difference is drawn
    QString label;        // what is subtracted: "step 100", "ls step 350"
    QString note;         // how it was chosen when that is not obvious (pinned A, nearest earlier step)
    QString warning;      // why no difference is drawn although one was asked for
    // The same difference as a figure request states it: the run subtracted (0 when none; the selected run
    // itself for previous/pinned) and its step (-1: the figure's own step; the run's snapshot at or before
    // the step is used either way).
    int run = 0;
    int step = -1;
};

// `shown` is the selected run's snapshot on screen; `otherRun` names the run of the Run* choices.
DifferenceTarget resolveDifference(const RunRegistry& registry, const RunData& run, const SnapshotPtr& shown,
                                   CompareTo kind, int otherRun);

} // namespace attnscope::gui
