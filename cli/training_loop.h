#pragma once
// The CLI's adapter over RunDriver (core/run/run_driver.h), shared by `train` and `resume`: starts the
// driver (trainer and recorder on their own threads), shows progress on stderr, and turns Ctrl-C into a
// clean stop (final checkpoint + status).
#include "core/run/run_driver.h"

#include <string>

namespace attnscope::cli {

struct TrainingLoopOptions {
    std::string runPath; // for messages ("resume with: attnscope-cli resume <runPath>")
    bool quiet = false;  // no progress output
};

// Returns the exit status: 0 when the run finished, was stopped (Ctrl-C / SIGTERM) or diverged — all three
// are results recorded in the file. Throws attnscope::Error when training failed (the file then says
// Failed with the message) or the run file could not be written completely.
int runTrainingLoop(RunDriver& driver, const TrainingLoopOptions& options);

} // namespace attnscope::cli
