#pragma once
// Loss of a trained model at a sequence length other than (usually longer than) the one it was trained on:
// the length-extrapolation protocol of Press et al..
//
//   nonoverlapping  the validation stream is cut into consecutive chunks of `length` tokens; each chunk is
//   one
//                   independent forward and every token of it is scored (early tokens have little context).
//   sliding:<S>     windows of `length` tokens advance by S; only the last S tokens of each window are
//   scored,
//                   so every scored token sees at least length − S tokens of context. The stream's first
//                   length − S tokens are therefore never scored. S = 1 is the most accurate and the slowest
//                   (one forward of `length` tokens per scored token).
//
// Synthetic tasks have no stream: they are evaluated on fresh validation instances generated at `length`
// (sampleBatch(Split::Validation)), the sliding mode then scores only each sequence's last S positions.
// Everything is deterministic: streams are read from their start, task instances come from a fixed seed.
#include "core/data/token_source.h"
#include "core/model/model.h"
#include "core/probe/snapshot.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

struct ExtrapolationOptions {
    int stride = 0;                 // 0: nonoverlapping; S ≥ 1: sliding window scoring the last S tokens
    std::int64_t maxTokens = 32768; // cap on scored tokens (whole chunks/windows, at least one)
    bool bos = false;               // text streams: start every sequence with <bos>, as training did
    int step = 0;                   // copied into EvalRecord::step (the checkpoint's step)
    std::uint64_t taskSeed = 0xe7a1'0000'0000'0001ULL; // synthetic tasks' validation instances
    std::size_t memoryBudget = std::size_t(512) << 20; // activations per forward; bounds the batch size
};

// What an evaluation covered, for reports and tests.
struct EvalCoverage {
    std::int64_t scoredTokens = 0; // targets that entered the loss
    std::int64_t sequences = 0;    // chunks, windows or task sequences evaluated
    std::int64_t available = 0;    // chunks/windows the stream holds before the maxTokens cap (0 for tasks)
};

// "nonoverlapping" or "sliding:<S>".
std::string extrapolationModeName(int stride);

// Why `model` cannot be evaluated at `length` ("learned positions cannot extrapolate past L=64"), or "" when
// it can.
std::string extrapolationLimit(const ModelConfig& model, int length);

// Evaluates on `source`: its validation stream when it has one, fresh validation instances otherwise.
// Throws attnscope::Error for length < 1 or a stride outside [1, length]. A model that cannot run at the
// length, or a stream too short for one sequence, gives a record with loss NaN and the reason in `note`.
EvalRecord evaluateAtLength(Model<float>& model, const TokenSource& source, int length,
                            const ExtrapolationOptions& options = {}, EvalCoverage* coverage = nullptr);

// The same on an explicit token stream (e.g. another text encoded with the model's tokenizer).
EvalRecord evaluateStream(Model<float>& model, const std::vector<std::int32_t>& stream, int length,
                          const ExtrapolationOptions& options = {}, EvalCoverage* coverage = nullptr);

// Approximate bytes of activations one sequence of `length` tokens needs in a forward pass.
std::size_t forwardBytesPerSequence(const ModelConfig& model, int length);

// Wall time of one inference forward (batch 1, logits only) at `length`, in milliseconds: the median of
// `repeats` timed runs after one untimed warm-up. NaN when the model cannot run at that length.
double forwardLatencyMs(Model<float>& model, int length, int repeats);

} // namespace attnscope
