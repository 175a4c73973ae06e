// attnscope-cli resume: continues a recorded run from a checkpoint, bit-identically to an uninterrupted run.
#include "cli/common.h"
#include "cli/training_loop.h"
#include "core/data/token_source.h"
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <algorithm>
#include <climits>
#include <cstdio>

namespace attnscope::cli {

namespace {

std::string listSteps(const std::vector<int>& steps) {
    std::string s;
    for (std::size_t i = 0; i < steps.size(); ++i) s += (i ? ", " : "") + std::to_string(steps[i]);
    return s;
}

int runResume(const Args& args) {
    return resumeRun(args.positionals().at(0), args);
}

} // namespace

int resumeRun(const std::string& runPath, const Args& args) {
    std::vector<std::uint8_t> checkpoint;
    std::string corpusHash;
    int from = 0;
    {
        RunReader reader(runPath); // closed before the writer opens the file
        const std::vector<int> steps = reader.checkpointSteps();
        const StatusRecord status = reader.status();
        if (steps.empty()) {
            if (status.status == RunStatus::Diverged)
                throw Error(runPath + " diverged at step " + std::to_string(status.step) +
                            " before its first checkpoint; there is nothing to resume from.");
            throw Error(runPath +
                        " has no checkpoint to resume from (it was interrupted before its first one).");
        }
        from = steps.back();
        if (auto wanted = args.integer("from-step", 0, INT_MAX)) {
            if (std::find(steps.begin(), steps.end(), *wanted) == steps.end())
                throw Error(runPath + " has no checkpoint at step " + std::to_string(*wanted) +
                            "; its checkpoints are at steps " + listSteps(steps) + ".");
            from = *wanted;
        }
        if (status.status == RunStatus::Diverged)
            // Training is deterministic: the same settings from an earlier checkpoint diverge again.
            std::fprintf(stderr,
                         "note: %s diverged at step %d; resuming from step %d with the same settings will "
                         "diverge at the same step again.\n",
                         runPath.c_str(), status.step, from);
        checkpoint = reader.checkpoint(from);
        corpusHash = reader.header().corpusHash;
    }
    // The checkpoint's spec, not the header's: it carries the step count of an earlier `--steps` extension.
    RunSpec spec = checkpointSpec(checkpoint);
    const int previousTotal = spec.train.steps;
    if (auto steps = args.integer("steps", 1, INT_MAX)) {
        if (*steps <= from)
            throw UsageError("--steps " + std::to_string(*steps) + " is not beyond the checkpoint's step " +
                             std::to_string(from));
        spec.train.steps = *steps;
    }
    if (auto threads = args.integer("threads", 0, 4096)) spec.train.threads = *threads;
    if (from >= spec.train.steps) {
        std::printf("%s already has all %d steps; use --steps N to train further.\n", runPath.c_str(),
                    spec.train.steps);
        return 0;
    }
    useThreads(spec.train.threads);
    Trainer trainer(spec);
    if (trainer.data().contentHash() != corpusHash)
        throw Error("The data of " + runPath + " (" + trainer.data().name() +
                    ") changed since the run was recorded " + "(hash " + corpusHash + ", now " +
                    trainer.data().contentHash() + "); resuming would train on different data.");
    trainer.restore(checkpoint);

    RunWriter writer = RunWriter::openForAppend(runPath);
    writer.truncateAfter(from); // steps after the checkpoint are redone, bit-identically
    std::string note = "resumed from the checkpoint of step " + std::to_string(from);
    if (spec.train.steps != previousTotal)
        note += "; steps extended from " + std::to_string(previousTotal) + " to " +
                std::to_string(spec.train.steps);
    writer.appendEvent(Event{from, EventKind::Note, note});
    if (!args.has("quiet"))
        std::fprintf(stderr, "resuming %s at step %d of %d\n", runPath.c_str(), from, spec.train.steps);
    return runTrainingLoop(trainer, std::move(writer), {runPath, args.has("quiet")});
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
