#include "core/nn/rope.h"

#include "core/nn/parallel.h"

#include <cmath>

namespace attnscope::nn {

template <typename T> void rope_tables(T* cosTable, T* sinTable, int Tlen, int D, double base) {
    const int half = D / 2;
    for (int p = 0; p < Tlen; ++p)
        for (int i = 0; i < half; ++i) {
            const double angle = p * std::pow(base, -2.0 * i / D);
            cosTable[p * half + i] = T(std::cos(angle));
            sinTable[p * half + i] = T(std::sin(angle));
        }
}

template <typename T>
void rope_apply(T* y, const T* x, const T* cosTable, const T* sinTable, int B, int Tlen, int H, int D,
                int direction) {
    const int half = D / 2, C = H * D;
    const T sign = direction > 0 ? T(1) : T(-1);
    parallelChunks(std::ptrdiff_t(B) * Tlen, 64, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        for (std::ptrdiff_t r = r0; r < r1; ++r) {
            const T* c = cosTable + (r % Tlen) * half;
            const T* s = sinTable + (r % Tlen) * half;
            for (int h = 0; h < H; ++h) {
                const T* xi = x + r * C + h * D;
                T* yi = y + r * C + h * D;
                for (int i = 0; i < half; ++i) {
                    const T a = xi[2 * i], b = xi[2 * i + 1], sn = sign * s[i];
                    yi[2 * i] = a * c[i] - b * sn;
                    yi[2 * i + 1] = a * sn + b * c[i];
                }
            }
        }
    });
}

template void rope_tables<float>(float*, float*, int, int, double);
template void rope_tables<double>(double*, double*, int, int, double);
template void rope_apply<float>(float*, const float*, const float*, const float*, int, int, int, int, int);
template void rope_apply<double>(double*, const double*, const double*, const double*, int, int, int, int,
                                 int);

} // namespace attnscope::nn
