#pragma once
// Loss at every position of a sequence longer than training (Press et al., Fig. "loss by position"): where a
// position method stops extrapolating, the per-position loss turns upward at that position. Nonoverlapping
// chunks of the validation stream, exactly as evaluateAtLength cuts them (core/eval/extrapolation.h).
#include "core/data/token_source.h"
#include "core/model/model.h"

#include <cstdint>
#include <vector>

namespace attnscope {

struct PositionLoss {
    std::vector<double> loss;   // [position] mean cross-entropy (nats) of the token predicted at it
    std::int64_t sequences = 0; // chunks averaged
};

// Empty result for a source without a validation stream (synthetic tasks), a stream shorter than one chunk,
// or a model that cannot run at `length` (learned positions past L). `bos` as training did; at most
// `maxTokens` scored tokens (whole chunks, at least one).
PositionLoss lossByPosition(Model<float>& model, const TokenSource& source, int length, bool bos,
                            std::int64_t maxTokens = 16384);

} // namespace attnscope
