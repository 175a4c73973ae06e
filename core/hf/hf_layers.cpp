#include "core/hf/hf_layers.h"

#include "core/nn/parallel.h"

#include <cmath>
#include <vector>

namespace attnscope::hf {

void rmsnorm(float* y, const float* x, const float* weight, int rows, int C, float eps) {
    nn::parallelChunks(rows, 16, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        for (std::ptrdiff_t r = r0; r < r1; ++r) {
            const float* xr = x + r * C;
            float* yr = y + r * C;
            double ss = 0;
            for (int c = 0; c < C; ++c) ss += double(xr[c]) * xr[c];
            const float inv = float(1.0 / std::sqrt(ss / C + double(eps)));
            for (int c = 0; c < C; ++c) yr[c] = weight[c] * (xr[c] * inv);
        }
    });
}

void rotateHalf(float* x, int ld, int T, int heads, int headDim, int rotaryDims, double base) {
    const int half = rotaryDims / 2;
    if (half == 0) return;
    std::vector<double> invFreq(static_cast<std::size_t>(half));
    for (int i = 0; i < half; ++i) invFreq[std::size_t(i)] = std::pow(base, -2.0 * i / rotaryDims);
    nn::parallelChunks(T, 16, [&](std::ptrdiff_t p0, std::ptrdiff_t p1) {
        std::vector<float> cosP(static_cast<std::size_t>(half)), sinP(static_cast<std::size_t>(half));
        for (std::ptrdiff_t p = p0; p < p1; ++p) {
            for (int i = 0; i < half; ++i) {
                const double angle = double(p) * invFreq[std::size_t(i)];
                cosP[std::size_t(i)] = float(std::cos(angle)), sinP[std::size_t(i)] = float(std::sin(angle));
            }
            for (int h = 0; h < heads; ++h) {
                float* v = x + p * ld + std::ptrdiff_t(h) * headDim;
                for (int i = 0; i < half; ++i) {
                    const float a = v[i], b = v[i + half], c = cosP[std::size_t(i)], s = sinP[std::size_t(i)];
                    v[i] = a * c - b * s;
                    v[i + half] = b * c + a * s;
                }
            }
        }
    });
}

void geluErf(float* u, long n) {
    nn::parallelChunks(n, 4096, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
        for (std::ptrdiff_t i = b; i < e; ++i)
            u[i] = 0.5f * u[i] * (1.0f + std::erf(u[i] * float(M_SQRT1_2)));
    });
}

void silu(float* u, long n) {
    nn::parallelChunks(n, 4096, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
        for (std::ptrdiff_t i = b; i < e; ++i) u[i] = u[i] / (1.0f + std::exp(-u[i]));
    });
}

void relu(float* u, long n) {
    nn::parallelChunks(n, 4096, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
        for (std::ptrdiff_t i = b; i < e; ++i) u[i] = u[i] > 0 ? u[i] : 0.0f;
    });
}

} // namespace attnscope::hf
