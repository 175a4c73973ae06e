#pragma once
// One sweep cell on disk: decides whether its run file is complete, resumable or to be (re)started, and
// trains it to the end with the run file recording everything (the same file `attnscope-cli train` writes).
// Resuming restores the latest checkpoint and redoes the steps after it, bit-identically to an
// uninterrupted run (the same path as `attnscope-cli resume`).
#include "core/train/run_spec.h"
#include "core/train/telemetry.h"

#include <atomic>
#include <functional>
#include <string>

namespace attnscope {

struct CellInspection {
    enum Kind { Fresh, Resume, Complete } kind = Fresh;
    int fromStep = 0;   // Resume: the checkpoint's step; Complete: the steps done
    RunStatus status{}; // Complete: Finished or Diverged
    std::string reason; // why Fresh although a file exists ("no checkpoint yet", "unreadable: …")
};

// Looks at `path` for a cell that must train `spec`. A file recorded with other settings (other than the
// thread count, which does not change the numbers) throws attnscope::Error: it is someone else's run.
CellInspection inspectCell(const std::string& path, const RunSpec& spec);

struct CellRunResult {
    RunStatus status = RunStatus::Failed; // Finished, Diverged, Stopped (cancelled) or Failed
    int step = 0;
    std::string message;
};

// Trains the cell from where inspectCell says (a Complete cell returns at once with its status). Polls
// `cancel`: when it turns true the trainer stops after its current step and writes a final checkpoint.
// onStep(step, loss) is called from this thread as steps complete. Never throws for a training failure
// (returns Failed with the message); throws attnscope::Error when the file cannot be created or opened.
CellRunResult runCell(const std::string& path, const RunSpec& spec, int threads,
                      const std::atomic<bool>& cancel,
                      const std::function<void(int step, double loss)>& onStep);

} // namespace attnscope
