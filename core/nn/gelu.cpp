#include "core/nn/gelu.h"

#include "core/nn/parallel.h"

#include <cmath>

namespace attnscope::nn {

namespace {
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kCubic = 0.044715;
} // namespace

template <typename T> void gelu_forward(T* y, const T* u, long n) {
    parallelChunks(n, 4096, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
        for (std::ptrdiff_t i = b; i < e; ++i) {
            const T x = u[i];
            const T s = T(kSqrt2OverPi) * (x + T(kCubic) * x * x * x);
            y[i] = T(0.5) * x * (T(1) + std::tanh(s));
        }
    });
}

template <typename T> void gelu_backward(T* du, const T* dy, const T* u, long n) {
    parallelChunks(n, 4096, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
        for (std::ptrdiff_t i = b; i < e; ++i) {
            const T x = u[i];
            const T s = T(kSqrt2OverPi) * (x + T(kCubic) * x * x * x);
            const T th = std::tanh(s);
            const T ds = T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * x * x);
            du[i] = dy[i] * (T(0.5) * (T(1) + th) + T(0.5) * x * (T(1) - th * th) * ds);
        }
    });
}

template void gelu_forward<float>(float*, const float*, long);
template void gelu_forward<double>(double*, const double*, long);
template void gelu_backward<float>(float*, const float*, const float*, long);
template void gelu_backward<double>(double*, const double*, const double*, long);

} // namespace attnscope::nn
