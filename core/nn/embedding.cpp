#include "core/nn/embedding.h"

#include "core/nn/parallel.h"

#include <cmath>

namespace attnscope::nn {

template <typename T>
void embedding_forward(T* x, const std::int32_t* tokens, const T* table, const T* pos, int B, int Tlen,
                       int C) {
    parallelChunks(std::ptrdiff_t(B) * Tlen, 64, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        for (std::ptrdiff_t r = r0; r < r1; ++r) {
            const T* e = table + std::ptrdiff_t(tokens[r]) * C;
            T* xr = x + r * C;
            if (pos) {
                const T* p = pos + (r % Tlen) * C;
                for (int i = 0; i < C; ++i) xr[i] = e[i] + p[i];
            } else {
                for (int i = 0; i < C; ++i) xr[i] = e[i];
            }
        }
    });
}

template <typename T>
void embedding_backward(T* dtable, T* dpos, const T* dx, const std::int32_t* tokens, int B, int Tlen, int C) {
    const std::ptrdiff_t rows = std::ptrdiff_t(B) * Tlen;
    parallelChunks(C, 8, [&](std::ptrdiff_t c0, std::ptrdiff_t c1) {
        for (std::ptrdiff_t r = 0; r < rows; ++r) {
            T* d = dtable + std::ptrdiff_t(tokens[r]) * C;
            const T* g = dx + r * C;
            for (std::ptrdiff_t i = c0; i < c1; ++i) d[i] += g[i];
            if (dpos) {
                T* dp = dpos + (r % Tlen) * C;
                for (std::ptrdiff_t i = c0; i < c1; ++i) dp[i] += g[i];
            }
        }
    });
}

template <typename T> void sinusoidal_table(T* pe, int Tlen, int C, double scale) {
    for (int p = 0; p < Tlen; ++p)
        for (int i = 0; i < C; i += 2) {
            const double angle = p / std::pow(10000.0, double(i) / C);
            pe[std::ptrdiff_t(p) * C + i] = T(scale * std::sin(angle));
            if (i + 1 < C) pe[std::ptrdiff_t(p) * C + i + 1] = T(scale * std::cos(angle));
        }
}

template void embedding_forward<float>(float*, const std::int32_t*, const float*, const float*, int, int,
                                       int);
template void embedding_forward<double>(double*, const std::int32_t*, const double*, const double*, int, int,
                                        int);
template void embedding_backward<float>(float*, float*, const float*, const std::int32_t*, int, int, int);
template void embedding_backward<double>(double*, double*, const double*, const std::int32_t*, int, int, int);
template void sinusoidal_table<float>(float*, int, int, double);
template void sinusoidal_table<double>(double*, int, int, double);

} // namespace attnscope::nn
