// attnscope-cli resume: continues a recorded run from a checkpoint, bit-identically to an uninterrupted run.
#include "cli/common.h"
#include "cli/training_loop.h"
#include "core/util/error.h"

#include <climits>
#include <cstdio>

namespace attnscope::cli {

namespace {

int runResume(const Args& args) {
    return resumeRun(args.positionals().at(0), args);
}

} // namespace

int resumeRun(const std::string& runPath, const Args& args) {
    RunDriver::ContinueOptions options;
    options.fromStep = args.integer("from-step", 0, INT_MAX);
    options.steps = args.integer("steps", 1, INT_MAX);
    options.threads = args.integer("threads", 0, 4096);
    std::unique_ptr<RunDriver> driver;
    try {
        driver = RunDriver::continueRun(runPath, options);
    } catch (const RunComplete& done) {
        std::printf("%s\n", done.what());
        return 0;
    }
    for (const std::string& notice : driver->notices())
        if (!args.has("quiet")) std::fprintf(stderr, "note: %s\n", notice.c_str());
    useThreads(driver->spec().train.threads);
    if (!args.has("quiet"))
        std::fprintf(stderr, "resuming %s at step %d of %d\n", runPath.c_str(), driver->startStep(),
                     driver->spec().train.steps);
    return runTrainingLoop(*driver, {runPath, args.has("quiet")});
}

const Command& resumeCommand() {
    static const Command command{
        {"resume",
         "continue a stopped, interrupted or finished run from its latest checkpoint",
         "attnscope-cli resume RUN [--steps N] [--from-step S] [--threads N]",
         "Reopens RUN for appending, restores its latest checkpoint (or the one at --from-step), deletes "
         "the\n"
         "records after that checkpoint and trains on to the run's step count. On any thread count the\n"
         "continued curve is bit-identical to an uninterrupted run. --steps N extends a run; note that the\n"
         "cosine schedule then stretches to N steps, so the extension equals a run started with N steps "
         "only\n"
         "when the schedule does not depend on the step count (--min-lr-ratio 1). Do not resume a run that "
         "is\n"
         "still training in another process. `attnscope-cli train --resume RUN` is the same command.",
         1,
         1,
         {{"steps", "N", "train to step N (extends the run; must be beyond the checkpoint)"},
          {"from-step", "S", "rewind to the checkpoint of step S instead of the latest"},
          {"threads", "N", "OpenMP threads (a different count changes the bits of the result)"},
          {"quiet", "", "no progress output"}},
         "  attnscope-cli resume runs/alibi.attnrun\n"
         "  attnscope-cli resume runs/alibi.attnrun --steps 4000\n"},
        runResume};
    return command;
}

} // namespace attnscope::cli
