#pragma once
// The per-head weight metrics of a snapshot for an imported model, defined as for the engine's models
// (core/probe/probe.cpp): σ(W_q^h), σ(W_k^h), σ(W_q^h W_k^hᵀ) (power iteration on D×D Gram matrices) (W_k^h of the head's
// key/value group), and σReparam's Theorem 3.1 reference value from σ(W_q^h W_k^hᵀ)/√d and the layer's
// normalised input.
#include "core/hf/hf_checkpoint.h"
#include "core/probe/snapshot.h"

namespace attnscope::hf {

// Fills sigmaQ, sigmaK, sigmaQK and entropyBound of `layer`'s heads; `normalisedInput` (T, C) is the input
// of the layer's attention after its norm.
void recordWeightMetrics(ProbeSnapshot& s, int layer, const HfCheckpoint& model, const float* normalisedInput,
                         int T);

} // namespace attnscope::hf
