#include "core/nn/gelu.h"

#include "core/nn/kernels.h"
#include "core/nn/parallel.h"

namespace attnscope::nn {

// The arithmetic lives in kernels_impl.h (a baseline and an AVX2 copy, kernels.h).
template <typename T> void gelu_forward_span(T* y, const T* u, long n) {
    kernels<T>().geluForward(y, u, n);
}

template <typename T> void gelu_backward_span(T* du, const T* dy, const T* u, long n) {
    kernels<T>().geluBackward(du, dy, u, n);
}

template <typename T> void gelu_forward(T* y, const T* u, long n) {
    const auto kernel = kernels<T>().geluForward;
    parallelChunks(n, 4096, [&](std::ptrdiff_t b, std::ptrdiff_t e) { kernel(y + b, u + b, long(e - b)); });
}

template <typename T> void gelu_backward(T* du, const T* dy, const T* u, long n) {
    const auto kernel = kernels<T>().geluBackward;
    parallelChunks(n, 4096,
                   [&](std::ptrdiff_t b, std::ptrdiff_t e) { kernel(du + b, dy + b, u + b, long(e - b)); });
}

template void gelu_forward<float>(float*, const float*, long);
template void gelu_forward<double>(double*, const double*, long);
template void gelu_backward<float>(float*, const float*, const float*, long);
template void gelu_backward<double>(double*, const double*, const double*, long);
template void gelu_forward_span<float>(float*, const float*, long);
template void gelu_forward_span<double>(double*, const double*, long);
template void gelu_backward_span<float>(float*, const float*, const float*, long);
template void gelu_backward_span<double>(double*, const double*, const double*, long);

} // namespace attnscope::nn
