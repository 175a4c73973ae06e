#pragma once
// How long a run has trained, from its step records. Each training session (the first, a Continue, a Fork's
// child) times its steps from its own start (StepRecord::elapsedSec restarts near 0), so a session begins
// where the elapsed time falls below the previous record's; speed and ETA use only the current session's
// steps, and the total adds up every session.
#include "core/probe/snapshot.h"

#include <vector>

namespace attnscope {

struct TrainingTime {
    int sessionSteps = 0;      // steps trained in the latest session
    double sessionSeconds = 0; // its wall time (pauses excluded)
    double totalSeconds = 0;   // wall time of every session together
    // Seconds per step in the latest session; NaN before its first step.
    double secondsPerStep() const;
};

TrainingTime trainingTime(const std::vector<StepRecord>& steps);

} // namespace attnscope
