#pragma once
// GELU, tanh approximation: GELU(u) = ½u(1 + tanh s), s = √(2/π)(u + 0.044715u³).
namespace attnscope::nn {
template <typename T> void gelu_forward(T* y, const T* u, long n);
// du = dy · GELU'(u)
template <typename T> void gelu_backward(T* du, const T* dy, const T* u, long n);
// The same on one span in the calling thread (for GEMM epilogues, linear.h); the parallel versions above call
// these on fixed blocks, so both give the same bits.
template <typename T> void gelu_forward_span(T* y, const T* u, long n);
template <typename T> void gelu_backward_span(T* du, const T* dy, const T* u, long n);
} // namespace attnscope::nn
