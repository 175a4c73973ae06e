#include "core/nn/gelu.h"

#include "core/nn/parallel.h"

#include <Eigen/Core>

namespace attnscope::nn {

namespace {
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kCubic = 0.044715;
template <typename T> using Arr = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T> using CArr = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;
} // namespace

// Eigen's array tanh is vectorised (AVX-512 rational approximation for float); a scalar std::tanh per element
// was the single largest cost of a training step.
template <typename T> void gelu_forward_span(T* y, const T* u, long n) {
    CArr<T> x(u, n);
    Arr<T> out(y, n);
    out = T(0.5) * x * (T(1) + (T(kSqrt2OverPi) * (x + T(kCubic) * x.cube())).tanh());
}

template <typename T> void gelu_backward_span(T* du, const T* dy, const T* u, long n) {
    CArr<T> x(u, n), g(dy, n);
    Arr<T> out(du, n);
    const auto th = (T(kSqrt2OverPi) * (x + T(kCubic) * x.cube())).tanh().eval();
    out = g * (T(0.5) * (T(1) + th) +
               T(0.5) * x * (T(1) - th * th) * (T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * x.square())));
}

template <typename T> void gelu_forward(T* y, const T* u, long n) {
    parallelChunks(n, 4096,
                   [&](std::ptrdiff_t b, std::ptrdiff_t e) { gelu_forward_span(y + b, u + b, long(e - b)); });
}

template <typename T> void gelu_backward(T* du, const T* dy, const T* u, long n) {
    parallelChunks(n, 4096, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
        gelu_backward_span(du + b, dy + b, u + b, long(e - b));
    });
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
