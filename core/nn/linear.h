#pragma once
// Linear layer Y = X·W + b over row-major flat buffers (mechanisms.md §1.3 item 2).
//   X (rows, in), W (in, out) with leading dimension ldw ≥ out (so a column block of a fused weight can be
//   used directly), b (out) or nullptr, Y (rows, out) with leading dimension ldy.
namespace attnscope::nn {

template <typename T> struct MatrixRef {
    T* data;
    int rows, cols;
    int ld; // elements between consecutive rows
};

// Y = X W (+ b); overwrites Y.
template <typename T>
void linear_forward(MatrixRef<T> y, MatrixRef<const T> x, MatrixRef<const T> w, const T* bias);

// dX (+)= dY Wᵀ ; dW += Xᵀ dY ; db += Σ_rows dY. dX is overwritten unless accumulateDx; any of dx, dw,
// db may be null to skip that gradient.
template <typename T>
void linear_backward(MatrixRef<T>* dx, MatrixRef<T>* dw, T* dbias, MatrixRef<const T> dy,
                     MatrixRef<const T> x, MatrixRef<const T> w, bool accumulateDx);

// Y = X Wᵀ for a weight stored (out, in) — the tied LM head uses the embedding table E (V, C) as Wᵀ.
template <typename T>
void linear_forward_transposed(MatrixRef<T> y, MatrixRef<const T> x, MatrixRef<const T> wt);
// dX = dY Wᵀᵀ = dY Wt ; dWt += dYᵀ X.
template <typename T>
void linear_backward_transposed(MatrixRef<T>* dx, MatrixRef<T>* dwt, MatrixRef<const T> dy,
                                MatrixRef<const T> x, MatrixRef<const T> wt);

} // namespace attnscope::nn
