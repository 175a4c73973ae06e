#pragma once
// Pieces several commands share: the command table, number formatting, run-file and checkpoint loading.
#include "cli/args.h"
#include "core/data/tokenizer.h"
#include "core/model/model.h"
#include "core/train/run_spec.h"
#include "core/util/number_text.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {
class RunReader;
}

namespace attnscope::cli {

struct Command {
    CommandSpec spec;
    int (*run)(const Args& args); // returns the exit status; throws on errors
};

const Command& trainCommand();
const Command& resumeCommand();
const Command& evalCommand();
const Command& infoCommand();
const Command& exportDataCommand();
const Command& exportCheckpointCommand();
const Command& presetsCommand();
const Command& sweepCommand();
const Command& headsCommand();
const Command& importCommand();

// Continues a recorded run (the `resume` command; also `train --resume RUN`). Reads --steps, --threads,
// --from-step and --quiet from args when present.
int resumeRun(const std::string& runPath, const Args& args);

std::string humanBytes(std::uint64_t bytes);
std::string humanDuration(double seconds);
// Pads to `width` characters (UTF-8 aware): right-aligned for width > 0, left-aligned for width < 0.
std::string pad(const std::string& text, int width);
std::string withThousands(std::uint64_t n); // 1234567 → "1,234,567"

// The RunSpec stored in a run's header; throws attnscope::Error naming the file when it does not parse.
RunSpec headerSpec(const RunReader& reader);

// Number of trainable values (the sum of tensor sizes, without alignment padding).
std::uint64_t parameterCount(const ModelConfig& config);

// "exp-extrapolation/alibi" → "exp-extrapolation_alibi": safe as a file name on every platform.
std::string fileNameFor(const std::string& runName);

// Refuses an activation footprint the machine cannot hold, before allocating it (a clear sentence instead
// of std::bad_alloc or the OOM killer).
void checkMemory(std::size_t bytes, const std::string& what, const std::string& hint);

// --data fortunes | file:PATH | task:NAME onto a data config (keeps its other settings). Throws UsageError.
void applyDataOption(const std::string& text, DataConfig& data);

// Sets the OpenMP thread count (0 = all cores). Requests above kMaxThreadsPerCore × the cores are capped
// there, with a note on stderr.
inline constexpr int kMaxThreadsPerCore = 4;
void useThreads(int threads);

} // namespace attnscope::cli
