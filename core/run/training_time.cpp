#include "core/run/training_time.h"

#include <limits>

namespace attnscope {

double TrainingTime::secondsPerStep() const {
    return sessionSteps > 0 && sessionSeconds > 0 ? sessionSeconds / sessionSteps
                                                  : std::numeric_limits<double>::quiet_NaN();
}

TrainingTime trainingTime(const std::vector<StepRecord>& steps) {
    TrainingTime t;
    std::size_t sessionStart = 0;
    for (std::size_t i = 1; i < steps.size(); ++i)
        if (steps[i].elapsedSec < steps[i - 1].elapsedSec) {
            t.totalSeconds += steps[i - 1].elapsedSec; // the session that ended at record i − 1
            sessionStart = i;
        }
    if (steps.empty()) return t;
    // The session's first record already includes that step's time: its steps are the records since it began
    // (a fork's child continues the step count of its parent, so steps are counted by record, not by number).
    t.sessionSteps = int(steps.size() - sessionStart);
    t.sessionSeconds = steps.back().elapsedSec;
    t.totalSeconds += t.sessionSeconds;
    return t;
}

} // namespace attnscope
