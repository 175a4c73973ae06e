#pragma once
// LayerNorm over the last dimension: y = γ ⊙ (x − μ)/s + β, s = √(var + ε),
// biased variance. β may be null (QK-norm has a gain only). x, y: (rows, C) contiguous.
namespace attnscope::nn {

template <typename T>
void layernorm_forward(T* y, T* mean, T* rstd, const T* x, const T* gamma, const T* beta, int rows, int C,
                       T eps);

// dx (+)= (1/s)(g − mean(g) − x̂ mean(g ⊙ x̂)), g = dy ⊙ γ ; dγ += Σ dy ⊙ x̂ ; dβ += Σ dy.
template <typename T>
void layernorm_backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* gamma, const T* mean,
                        const T* rstd, int rows, int C, bool accumulateDx);

} // namespace attnscope::nn
