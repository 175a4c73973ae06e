#pragma once
// Runs a Trainer on a worker thread while this thread records its telemetry into the run file, shows
// progress on stderr, and turns Ctrl-C into a clean stop (final checkpoint + status) — shared by `train`
// and `resume`.
#include "core/store/run_writer.h"
#include "core/train/trainer.h"

#include <string>

namespace attnscope::cli {

struct TrainingLoopOptions {
    std::string runPath; // for messages ("resume with: attnscope-cli resume <runPath>")
    bool quiet = false;  // no progress output
};

// Returns the exit status: 0 when the run finished, was stopped (Ctrl-C / SIGTERM) or diverged — all three
// are results recorded in the file. Throws attnscope::Error when training failed or the run file could not
// be written.
int runTrainingLoop(Trainer& trainer, RunWriter writer, const TrainingLoopOptions& options);

} // namespace attnscope::cli
