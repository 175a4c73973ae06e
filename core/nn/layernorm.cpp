#include "core/nn/layernorm.h"

#include "core/nn/parallel.h"

#include <cmath>
#include <vector>

namespace attnscope::nn {

template <typename T>
void layernorm_forward(T* y, T* mean, T* rstd, const T* x, const T* gamma, const T* beta, int rows, int C,
                       T eps) {
    parallelChunks(rows, 64, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        for (std::ptrdiff_t r = r0; r < r1; ++r) {
            const T* xr = x + r * C;
            // simd reductions: a fixed lane order, so still the same bits on every run.
            T m = 0;
#pragma omp simd reduction(+ : m)
            for (int i = 0; i < C; ++i) m += xr[i];
            m /= T(C);
            T v = 0;
#pragma omp simd reduction(+ : v)
            for (int i = 0; i < C; ++i) v += (xr[i] - m) * (xr[i] - m);
            v /= T(C);
            const T s = T(1) / std::sqrt(v + eps);
            T* yr = y + r * C;
            if (beta)
                for (int i = 0; i < C; ++i) yr[i] = (xr[i] - m) * s * gamma[i] + beta[i];
            else
                for (int i = 0; i < C; ++i) yr[i] = (xr[i] - m) * s * gamma[i];
            mean[r] = m;
            rstd[r] = s;
        }
    });
}

template <typename T>
void layernorm_backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* gamma, const T* mean,
                        const T* rstd, int rows, int C, bool accumulateDx) {
    // dγ and dβ sum over rows: each block of rows sums into its own partial, and the partials are added in
    // block order afterwards (the same bits for any thread count, parallel.h).
    constexpr std::ptrdiff_t kRowBlock = 64;
    const std::ptrdiff_t blocks = blockCount(rows, kRowBlock);
    thread_local std::vector<T> partial; // the caller's: worker threads reach it only through `base`
    partial.assign(std::size_t(blocks) * 2 * C, T(0));
    T* const base = partial.data();
    parallelChunks(rows, kRowBlock, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        T* pg = base + std::size_t(r0 / kRowBlock) * 2 * C;
        T* pb = pg + C;
        for (std::ptrdiff_t r = r0; r < r1; ++r) {
            const T* xr = x + r * C;
            const T* dyr = dy + r * C;
            const T m = mean[r], s = rstd[r];
            T meanG = 0, meanGx = 0;
#pragma omp simd reduction(+ : meanG, meanGx)
            for (int i = 0; i < C; ++i) {
                const T xh = (xr[i] - m) * s;
                const T g = dyr[i] * gamma[i];
                meanG += g;
                meanGx += g * xh;
                pg[i] += dyr[i] * xh;
                pb[i] += dyr[i];
            }
            meanG /= T(C);
            meanGx /= T(C);
            T* dxr = dx + r * C;
            for (int i = 0; i < C; ++i) {
                const T xh = (xr[i] - m) * s;
                const T v = s * (dyr[i] * gamma[i] - meanG - xh * meanGx);
                dxr[i] = accumulateDx ? dxr[i] + v : v;
            }
        }
    });
    for (std::ptrdiff_t k = 0; k < blocks; ++k) {
        const T* pg = base + std::size_t(k) * 2 * C;
        for (int i = 0; i < C; ++i) {
            if (dgamma) dgamma[i] += pg[i];
            if (dbeta) dbeta[i] += pg[C + i];
        }
    }
}

template void layernorm_forward<float>(float*, float*, float*, const float*, const float*, const float*, int,
                                       int, float);
template void layernorm_forward<double>(double*, double*, double*, const double*, const double*,
                                        const double*, int, int, double);
template void layernorm_backward<float>(float*, float*, float*, const float*, const float*, const float*,
                                        const float*, const float*, int, int, bool);
template void layernorm_backward<double>(double*, double*, double*, const double*, const double*,
                                         const double*, const double*, const double*, int, int, bool);

} // namespace attnscope::nn
