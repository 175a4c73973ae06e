#pragma once
// What a run reached, computed in one place for every front end: the app's Runs table, the sweep summaries
// and `attnscope-cli info`. Values are NaN where the run has none yet (no step, no snapshot, no evaluation).
#include "core/probe/snapshot.h"

#include <limits>
#include <map>
#include <string>
#include <vector>

namespace attnscope {

class RunReader;
struct RecordedRun;

struct RunSummary {
    static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

    int lastStep = 0;
    double initLoss = kNone;    // ℓ0: the training loss of step 1 (before the first update); NaN without it
    double finalLoss = kNone;   // the last recorded training loss (with the z-loss term when it is on)
    double finalCeLoss = kNone; // its cross-entropy part
    double finalValLoss = kNone; // the last validation loss
    int finalValStep = 0;        // its step (0: never evaluated)

    // The max content logit q·k/√D of a snapshot is its largest over layers and heads (finite values only).
    double finalMaxLogit = kNone; // in the last snapshot
    double peakMaxLogit = kNone;  // the largest over every snapshot
    // Per-head mean attention entropy (nats), finite values only.
    double finalMinEntropy = kNone;  // last snapshot: the smallest head
    double finalMeanEntropy = kNone; // last snapshot: the mean over heads
    double lowestEntropy = kNone;    // the smallest head over every snapshot
    int snapshots = 0;               // snapshots added

    int events = 0;                        // every recorded event, notes included
    int detectorEvents = 0;                // loss spikes, collapses, explosions, non-finite values: not notes
    std::map<std::string, int> eventKinds; // every event by kind name

    // The run's steps, ascending (replaces what earlier calls set).
    void setSteps(const std::vector<StepRecord>& steps);
    void setEvents(const std::vector<Event>& events);
    // Snapshots in ascending step order: the last one added is the final snapshot.
    void addSnapshot(const ProbeSnapshot& snapshot);
};

// From a run held in memory (the app's runs).
RunSummary summarizeRun(const RecordedRun& run);

enum class SummarySnapshots { Decode, Skip };
// From a run file. With SummarySnapshots::Decode every snapshot is decoded once, one at a time (the logit and
// entropy fields need them); with Skip those stay NaN and reading costs no map decoding.
RunSummary summarizeRunFile(const RunReader& reader, SummarySnapshots snapshots = SummarySnapshots::Decode);

} // namespace attnscope
