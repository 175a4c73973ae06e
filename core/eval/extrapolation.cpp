#include "core/eval/extrapolation.h"

#include "core/data/tokenizer.h"
#include "core/util/error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

namespace attnscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void checkArguments(int length, int stride) {
    if (length < 1)
        throw Error("The evaluation length must be at least 1 token (got " + std::to_string(length) + ").");
    if (stride < 0 || stride > length)
        throw Error("The sliding-window stride must be between 1 and the length " + std::to_string(length) +
                    " (got " + std::to_string(stride) + ").");
}

EvalRecord emptyRecord(int length, const ExtrapolationOptions& options) {
    EvalRecord r;
    r.step = options.step;
    r.length = length;
    r.mode = extrapolationModeName(options.stride);
    return r;
}

// Sum of per-token losses and the number of scored tokens over all batches.
struct LossSum {
    double total = 0;
    std::int64_t scored = 0;
    std::int64_t sequences = 0;
};

// Runs `count` sequences of `length` tokens through the model in batches that fit the memory budget.
// fill(first, rows, inputs, targets) writes rows [first, first + rows) of the evaluation.
template <typename Fill>
LossSum runSequences(Model<float>& model, int length, std::int64_t count, std::size_t memoryBudget,
                     Fill fill) {
    ForwardModeScope<float> evaluation(model, ForwardMode::Evaluation); // eval-time σ (model.h)
    const std::size_t perSequence = std::max<std::size_t>(1, forwardBytesPerSequence(model.config(), length));
    const int maxBatch = int(std::clamp<std::size_t>(memoryBudget / perSequence, 1, 64));
    LossSum sum;
    std::vector<std::int32_t> inputs, targets;
    std::unique_ptr<Workspace<float>> ws;
    for (std::int64_t first = 0; first < count; first += maxBatch) {
        const int rows = int(std::min<std::int64_t>(maxBatch, count - first));
        // Only the last, partial batch gets a smaller workspace; it is allocated once more at most.
        if (!ws || ws->B != rows) ws = std::make_unique<Workspace<float>>(model.config(), rows, length);
        inputs.resize(std::size_t(rows) * length);
        targets.resize(inputs.size());
        fill(first, rows, inputs.data(), targets.data());
        const double loss = model.forward(*ws, inputs.data(), targets.data());
        if (ws->scored > 0) {
            sum.total += loss * double(ws->scored);
            sum.scored += ws->scored;
        }
        sum.sequences += rows;
    }
    return sum;
}

// Keeps only the last `stride` targets of each row of `length` (the sliding-window scoring rule).
void scoreLastOnly(std::int32_t* targets, int rows, int length, int stride) {
    for (int r = 0; r < rows; ++r)
        std::fill(targets + std::size_t(r) * length, targets + std::size_t(r) * length + (length - stride),
                  kIgnoreTarget);
}

EvalRecord finish(EvalRecord r, const LossSum& sum, EvalCoverage* coverage, std::int64_t available) {
    if (coverage) *coverage = {sum.scored, sum.sequences, available};
    if (sum.scored == 0) {
        r.note = "no scored tokens at this length";
        return r;
    }
    r.loss = sum.total / double(sum.scored);
    r.perplexity = std::exp(r.loss);
    return r;
}

EvalRecord evaluateTask(Model<float>& model, const TokenSource& source, int length,
                        const ExtrapolationOptions& options, EvalCoverage* coverage) {
    const int stride = options.stride;
    const std::int64_t perSequence = stride > 0 ? stride : length;
    const std::int64_t count = std::max<std::int64_t>(1, options.maxTokens / perSequence);
    Rng rng(options.taskSeed);
    const LossSum sum =
        runSequences(model, length, count, options.memoryBudget,
                     [&](std::int64_t, int rows, std::int32_t* inputs, std::int32_t* targets) {
                         source.sampleBatch(Split::Validation, rows, length, rng, inputs, targets);
                         if (stride > 0) scoreLastOnly(targets, rows, length, stride);
                     });
    return finish(emptyRecord(length, options), sum, coverage, 0);
}

} // namespace

std::string extrapolationModeName(int stride) {
    return stride > 0 ? "sliding:" + std::to_string(stride) : "nonoverlapping";
}

std::string extrapolationLimit(const ModelConfig& model, int length) {
    if (model.position == PositionScheme::Learned && length > model.context)
        return "learned positions cannot extrapolate past L=" + std::to_string(model.context);
    return {};
}

std::size_t forwardBytesPerSequence(const ModelConfig& c, int length) {
    // Mirrors Workspace's buffers for one sequence, counting every head's attention map as dense (an upper
    // bound for windowed heads) and the gradient scratch the workspace always carries.
    const std::size_t T = std::size_t(std::max(length, 0)), C = std::size_t(c.dModel),
                      F = std::size_t(c.ffnDim()), V = std::size_t(c.vocab), H = std::size_t(c.heads);
    const std::size_t perLayer = H * T * T + 14 * T * C + 2 * T * F + 8 * T;
    const std::size_t rest = 14 * T * C + 2 * T * F + 2 * T * V + 8 * T;
    return (std::size_t(c.layers) * perLayer + rest) * sizeof(float);
}

EvalRecord evaluateStream(Model<float>& model, const std::vector<std::int32_t>& stream, int length,
                          const ExtrapolationOptions& options, EvalCoverage* coverage) {
    checkArguments(length, options.stride);
    EvalRecord record = emptyRecord(length, options);
    if (const std::string limit = extrapolationLimit(model.config(), length); !limit.empty()) {
        record.note = limit;
        if (coverage) *coverage = {};
        return record;
    }
    // A sequence at stream offset o reads tokens [o, o + length + shift): without <bos>, inputs are
    // s[o, o+length) and targets s[o+1, o+length]; with <bos> first, inputs are <bos> + s[o, o+length−1) and
    // targets s[o, o+length) — the layout TextCorpus::crop trains on.
    const std::int64_t shift = options.bos ? 0 : 1;
    const std::int64_t need = std::int64_t(length) + shift;
    const std::int64_t n = std::int64_t(stream.size());
    if (n < need) {
        record.note = "the evaluation text has " + std::to_string(n) + " tokens; length " +
                      std::to_string(length) + " needs " + std::to_string(need);
        if (coverage) *coverage = {};
        return record;
    }
    const int stride = options.stride;
    const std::int64_t advance = stride > 0 ? stride : length;
    const std::int64_t available = (n - need) / advance + 1;
    const std::int64_t count = std::min(available, std::max<std::int64_t>(1, options.maxTokens / advance));
    const bool bos = options.bos;
    const LossSum sum =
        runSequences(model, length, count, options.memoryBudget,
                     [&](std::int64_t first, int rows, std::int32_t* inputs, std::int32_t* targets) {
                         for (int r = 0; r < rows; ++r) {
                             const std::int32_t* src = stream.data() + (first + r) * advance;
                             std::int32_t* in = inputs + std::size_t(r) * length;
                             std::int32_t* tg = targets + std::size_t(r) * length;
                             for (int i = 0; i < length; ++i) {
                                 in[i] = bos ? (i == 0 ? Tokenizer::kBos : src[i - 1]) : src[i];
                                 tg[i] = src[i + shift];
                             }
                         }
                         if (stride > 0) scoreLastOnly(targets, rows, length, stride);
                     });
    return finish(record, sum, coverage, available);
}

EvalRecord evaluateAtLength(Model<float>& model, const TokenSource& source, int length,
                            const ExtrapolationOptions& options, EvalCoverage* coverage) {
    if (!source.validationStream().empty())
        return evaluateStream(model, source.validationStream(), length, options, coverage);
    checkArguments(length, options.stride);
    if (const std::string limit = extrapolationLimit(model.config(), length); !limit.empty()) {
        EvalRecord record = emptyRecord(length, options);
        record.note = limit;
        if (coverage) *coverage = {};
        return record;
    }
    return evaluateTask(model, source, length, options, coverage);
}

double forwardLatencyMs(Model<float>& model, int length, int repeats) {
    checkArguments(length, 0);
    if (!extrapolationLimit(model.config(), length).empty()) return kNaN;
    Workspace<float> ws(model.config(), 1, length);
    std::vector<std::int32_t> tokens(static_cast<std::size_t>(length));
    // Ordinary tokens (past the two specials), deterministic; the values do not change the cost.
    const int vocab = model.config().vocab;
    for (int i = 0; i < length; ++i) tokens[std::size_t(i)] = vocab > 2 ? 2 + i % (vocab - 2) : 0;
    model.forward(ws, tokens.data(), nullptr); // warm-up: caches, page faults of the fresh workspace
    std::vector<double> times;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        model.forward(ws, tokens.data(), nullptr);
        times.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::nth_element(times.begin(), times.begin() + std::ptrdiff_t(times.size() / 2), times.end());
    return times[times.size() / 2];
}

} // namespace attnscope
