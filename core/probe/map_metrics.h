#pragma once
// The per-head metrics of a snapshot that are functions of what any forward pass over the probe leaves: the
// dense attention maps, the content logits and the output logits. The engine's models (probe.h) and imported
// Hugging Face models (core/hf) fill a ProbeSnapshot's maps, value and residual norms and then call this, so
// both kinds of run carry the same metrics computed the same way: a metric of the maps belongs here.
#include "core/probe/snapshot.h"

#include <cstdint>
#include <vector>

namespace attnscope {

struct MapMetricInputs {
    std::vector<int> windows;            // per head of a layer: 0 full causal, w > 0 a local head's window
    std::vector<std::int32_t> triggers;  // tokens whose queries sinkNonTrigger leaves out (ProbeExtras)
    const float* outputLogits = nullptr; // (T, V)
    const float* logZ = nullptr;         // (T) log-sum-exp of each row of outputLogits
    int vocab = 0;
};

// Needs s.layers, heads, length, tokens, attention and logits filled; sets entropy, normEntropy, maxLogit,
// meanRowMax, sinkScore, meanDistance, keyProfile, sinkNonTrigger, topKey, topKeyShare, the head scores
// (head_scores.h: previousToken, duplicateToken, inductionScore, localMass), importanceEntropy, sinkRate,
// outLogitMax and meanLogZ.
void computeMapMetrics(ProbeSnapshot& s, const MapMetricInputs& in);

} // namespace attnscope
