#pragma once
// σReparam (Zhai et al. 2023): Ŵ = γ/σ(W)·W with σ(W) the spectral norm estimated by one
// power-iteration step per training step on persistent vectors. In the engine's X·W layout W is (in, out):
// σ = aᵀ W b with a ∈ R^in, b ∈ R^out unit vectors held constant, so ∂σ/∂W = a bᵀ.
//   Backward (§5.2), G = ∂L/∂Ŵ:  ∂L/∂γ = ⟨G, W⟩/σ ;  ∂L/∂W = (γ/σ)(G − (⟨G, W⟩/σ)·a bᵀ).
#include "core/nn/linear.h"

namespace attnscope::nn {

// One power step: a = normalize(W b); b = normalize(Wᵀ a). Returns σ = aᵀ W b.
template <typename T> T sigma_power_step(MatrixRef<const T> w, T* a, T* b);
// σ = aᵀ W b for the current (constant) vectors.
template <typename T> T sigma_estimate(MatrixRef<const T> w, const T* a, const T* b);
// Initialises b to the top right-singular vector from an exact SVD (as the reference code does), a = W b/|W
// b|. Returns σ_max.
template <typename T> T sigma_init_svd(MatrixRef<const T> w, T* a, T* b);
// Ŵ = (γ/σ) W
template <typename T> void sigma_effective(MatrixRef<T> what, MatrixRef<const T> w, T gamma, T sigma);
// In place: G (∂L/∂Ŵ) becomes ∂L/∂W; returns ∂L/∂γ.
template <typename T>
T sigma_backward(MatrixRef<T> g, MatrixRef<const T> w, const T* a, const T* b, T gamma, T sigma);

} // namespace attnscope::nn
