#include "core/nn/layernorm.h"

#include "core/nn/kernels.h"
#include "core/nn/parallel.h"

#include <vector>

namespace attnscope::nn {

// The row loops live in kernels_impl.h (a baseline and an AVX2 copy, kernels.h).
template <typename T>
void layernorm_forward(T* y, T* mean, T* rstd, const T* x, const T* gamma, const T* beta, int rows, int C,
                       T eps) {
    const auto kernel = kernels<T>().layerNormForward;
    parallelChunks(rows, 64, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        kernel(y, mean, rstd, x, gamma, beta, r0, r1, C, eps);
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
    const auto kernel = kernels<T>().layerNormBackward;
    parallelChunks(rows, kRowBlock, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        T* pg = base + std::size_t(r0 / kRowBlock) * 2 * C;
        kernel(dx, pg, pg + C, dy, x, gamma, mean, rstd, r0, r1, C, accumulateDx);
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
