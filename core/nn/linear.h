#pragma once
// Linear layer Y = X·W + b over row-major flat buffers.
//   X (rows, in), W (in, out) with leading dimension ldw ≥ out (so a column block of a fused weight can be
//   used directly), b (out) or nullptr, Y (rows, out) with leading dimension ldy.
#include <cstddef>
#include <functional>
#include <vector>

namespace attnscope::nn {

template <typename T> struct MatrixRef {
    T* data;
    int rows, cols;
    int ld; // elements between consecutive rows
};

// Called as fn(r0, r1) right after rows [r0, r1) of a product are computed, in the same thread, while they
// are still in cache: GELU after the MLP's first layer, GELU' after the gradient that feeds it. Folding these
// passes into the GEMM's row blocks saves a parallel region and a pass over memory each.
using RowEpilogue = std::function<void(std::ptrdiff_t r0, std::ptrdiff_t r1)>;

// Y = X W (+ b) (+ R); overwrites Y. The residual R (rows, out) shares Y's leading dimension; bias and
// residual initialise Y and the GEMM accumulates onto them (no separate pass for either).
template <typename T>
void linear_forward(MatrixRef<T> y, MatrixRef<const T> x, MatrixRef<const T> w, const T* bias,
                    const T* residual = nullptr, const RowEpilogue& epilogue = {});

// dX (+)= dY Wᵀ ; dW += Xᵀ dY ; db += Σ_rows dY. dX is overwritten unless accumulateDx; any of dx, dw,
// db may be null to skip that gradient. dxEpilogue runs on each row block of dX once it is complete.
template <typename T>
void linear_backward(MatrixRef<T>* dx, MatrixRef<T>* dw, T* dbias, MatrixRef<const T> dy,
                     MatrixRef<const T> x, MatrixRef<const T> w, bool accumulateDx,
                     const RowEpilogue& dxEpilogue = {});

// Several linear maps of one input X (q, k and v of the fused QKV weight): Y_i = X W_i + b_i in one parallel
// job, each row block computing the parts in order.
template <typename T> struct LinearOut {
    MatrixRef<T> y;
    MatrixRef<const T> w;
    const T* bias;
};
template <typename T>
void linear_forward_shared(MatrixRef<const T> x, const std::vector<LinearOut<T>>& parts);

// Backward of linear_forward_shared: dX (+)= Σ_i dY_i W_iᵀ (added in part order, the same bits as consecutive
// linear_backward calls), dW_i += Xᵀ dY_i, db_i += Σ_rows dY_i; all blocks in one parallel job.
template <typename T> struct LinearGrad {
    MatrixRef<const T> dy;
    MatrixRef<const T> w;
    MatrixRef<T>* dw; // or null
    T* dbias;         // or null
};
template <typename T>
void linear_backward_shared(MatrixRef<T>* dx, bool accumulateDx, MatrixRef<const T> x,
                            const std::vector<LinearGrad<T>>& parts);

// Y = X Wᵀ for a weight stored (out, in) — the tied LM head uses the embedding table E (V, C) as Wᵀ.
template <typename T>
void linear_forward_transposed(MatrixRef<T> y, MatrixRef<const T> x, MatrixRef<const T> wt);
// dX = dY Wᵀᵀ = dY Wt ; dWt += dYᵀ X.
template <typename T>
void linear_backward_transposed(MatrixRef<T>* dx, MatrixRef<T>* dwt, MatrixRef<const T> dy,
                                MatrixRef<const T> x, MatrixRef<const T> wt);

} // namespace attnscope::nn
