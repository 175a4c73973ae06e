#pragma once
// Attention metrics (docs/metrics.md) on dense maps. A (T×T) row-major probabilities with exact zeros on
// invisible keys; Z (T×T) content logits q·k/√D, NaN where invisible. A head's window is 0 for full causal.
#include <vector>

namespace attnscope {

struct HeadMetrics {
    float entropy = 0;      // mean_i −Σ_j A_ij ln A_ij (nats)
    float normEntropy = 0;  // mean over rows with ≥ 2 visible keys of H_i / ln n_i
    float maxLogit = 0;     // max visible Z
    float meanRowMax = 0;   // mean_i max_j Z_ij
    float sinkScore = 0;    // α_1: mean of A_i0 over the queries that see key 0
    float meanDistance = 0; // mean_i Σ_j A_ij (i − j)
};

// Number of keys query i sees.
inline int visibleKeys(int i, int window) {
    return window > 0 && window < i + 1 ? window : i + 1;
}

HeadMetrics headMetrics(const float* A, const float* Z, int T, int window);

// A head is a sink head when its sink score exceeds this (Gu et al.'s ε = 0.3); the sink rate of a model is
// the fraction of its heads that are.
inline constexpr float kSinkThreshold = 0.3f;
float sinkRate(const std::vector<float>& sinkScores);

// Mean attention key j receives from the queries that see it (T values).
std::vector<float> keyProfile(const float* A, int T, int window);

// Extreme-token metrics of one head (Guo et al. 2024). `dormant[i]` marks the queries
// whose sink score counts (non-trigger queries i ≥ 1).
struct SinkMetrics {
    float sinkNonTrigger = 0; // mean A_i0 over the dormant queries that see key 0 (0 when none)
    int topKey = 0;           // argmax_j Σ_i A_ij (the smaller j on ties)
    float topKeyShare = 0;    // Σ_i A_i,topKey / Σ_ij A_ij (0 for an all-zero map)
};
SinkMetrics sinkMetrics(const float* A, int T, int window, const std::vector<bool>& dormant);

// ResFormer importance entropy (§4.3): Ā = mean over heads, a_j = Σ_i Ā_ij normalised, e = −Σ a'_j ln a'_j.
// maps: H pointers to T×T maps.
float importanceEntropy(const std::vector<const float*>& maps, int T);

// σReparam Theorem 3.1 lower bound on a row's entropy given ς = σ(logit bilinear form)·σ(XXᵀ) over T keys:
// log(1 + (T−1)β) + ς·√(T(T−1))·β / (1 + (T−1)β), β = exp(−ς√(T/(T−1))).
double entropyLowerBound(double varsigma, int T);

} // namespace attnscope
