#pragma once
// "Probe your own text": a text the user types, run through a recorded checkpoint. The result is the same
// ProbeSnapshot the trainer records for its fixed probe (so every attention view can show it), plus what the
// model predicts after every position. Qt-free; the GUI calls it from a worker thread.
#include "core/data/tokenizer.h"
#include "core/model/config.h"
#include "core/model/model.h"
#include "core/probe/snapshot.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

// The checkpoint that stands for `step`: the nearest recorded one; of two equally near, the earlier (the
// model had already reached it at `step`). -1 when there is none. `steps` need not be sorted.
int nearestCheckpoint(const std::vector<int>& steps, int step);

// Longest probe, in tokens (<bos> included): `context` for learned positions (there are no others);
// otherwise four times the context, to watch extrapolation, but at most kMaxExtrapolatedProbe (never less
// than the context): a snapshot holds layers·heads·T² floats twice, 75 MB for 6×6 heads at T = 512.
inline constexpr int kMaxExtrapolatedProbe = 512;
int probeTokenLimit(const ModelConfig& model);

struct ProbeText {
    std::vector<std::int32_t> tokens;           // what the model reads (<bos> first when the run used it)
    std::size_t unknown = 0;                    // input characters read as <unk>
    std::vector<std::string> unknownCharacters; // the distinct ones (UTF-8), in order of appearance
    std::size_t dropped = 0;                    // tokens past the limit, cut off
    int limit = 0;                              // probeTokenLimit of the model
};

// Encodes `text` with the run's tokenizer as training did (<bos> first when `bos`) and cuts it to the model's
// limit. Throws attnscope::Error for an empty text or one without a character the vocabulary knows.
ProbeText encodeProbeInput(const Tokenizer& tokenizer, const std::string& text, const ModelConfig& model,
                           bool bos);

// What the model predicts after position i (for the token at i + 1).
struct TokenPrediction {
    static constexpr int kTop = 3;
    float loss = 0;                       // −ln p(token i+1) in nats; NaN at the last position
    int rank = 0;                         // of token i+1 among all tokens, 1 = the most likely; 0 at the last
    std::array<std::int32_t, kTop> top{}; // the most likely next tokens, most likely first
    std::array<float, kTop> topProbability{};
};

struct TextProbeResult {
    SnapshotPtr snapshot;                     // every head's metrics and maps on the text
    std::vector<TokenPrediction> predictions; // [position]
    double meanLoss = 0;                      // over positions with a successor; NaN for a single token
    int step = 0;                             // the checkpoint's step
};

// The predictions and mean loss of a probe from its output logits (T, V) and their log-sum-exp (T): the one
// place both the engine's models and imported ones (core/hf) turn logits into a TextProbeResult.
TextProbeResult textProbeResult(SnapshotPtr snapshot, const float* logits, const float* logZ, int vocab,
                                const std::vector<std::int32_t>& tokens, int step);

// One forward of `tokens` (B = 1, T = tokens.size()) through `model`: takeSnapshot plus the predictions.
TextProbeResult probeModel(Model<float>& model, const std::vector<std::int32_t>& tokens, int step);

// Rebuilds the checkpoint's model and probes it. `vocabulary` is the size of the tokenizer that encoded
// `tokens`: a checkpoint whose model reads another vocabulary belongs to another run. Throws
// attnscope::Error for a damaged checkpoint, that mismatch, or more tokens than the model can take.
TextProbeResult probeCheckpoint(const std::vector<std::uint8_t>& checkpoint,
                                const std::vector<std::int32_t>& tokens, int vocabulary);

} // namespace attnscope
