#pragma once
// Softmax cross-entropy over output logits with ignored targets and optional z-loss
// (Wortsman et al. 2023 for the z-loss): L = (1/N) Σ_scored [CE_t + c·(log Z_t)²], N = number of scored
// targets.
#include <cstdint>

namespace attnscope::nn {

struct CrossEntropyResult {
    double loss = 0;  // mean CE over scored targets (without the z-loss term)
    double zLoss = 0; // mean c·(log Z)² over scored targets
    long scored = 0;  // N
};

// Stores log Z per row in logZ (rows). Targets < 0 are not scored.
template <typename T>
CrossEntropyResult cross_entropy_forward(T* logZ, const T* logits, const std::int32_t* targets, long rows,
                                         int V, double zLossCoef);

// dlogits = (softmax − onehot)/N + 2c·logZ·softmax/N for scored rows, 0 for the others.
template <typename T>
void cross_entropy_backward(T* dlogits, const T* logits, const T* logZ, const std::int32_t* targets,
                            long rows, int V, long scored, double zLossCoef);

} // namespace attnscope::nn
