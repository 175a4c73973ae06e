#include "core/hf/hf_linear.h"

#include "core/nn/gemm.h"
#include "core/nn/parallel.h"

#include <algorithm>
#include <cstring>

namespace attnscope::hf {

namespace {
constexpr int kRowBlock = 512; // probes up to 512 tokens convert each weight block once
constexpr int kColBlock = 128; // 6 blocks for a 768-wide output: both cores busy (256 gave 3)
} // namespace

void linear(float* y, int ldy, const float* x, int rows, const Matrix& w, const TensorView* bias,
            int outBegin, int outCount) {
    if (outCount < 0) outCount = w.out - outBegin;
    const int K = w.in;
    const TensorView& t = *w.tensor;
    const float* inPlace = t.float32InPlace();
    const std::vector<float> b = vector32(bias);
    const std::ptrdiff_t rowBlocks = nn::blockCount(rows, kRowBlock),
                         colBlocks = nn::blockCount(outCount, kColBlock);
    nn::parallelChunks(rowBlocks * colBlocks, 1, [&](std::ptrdiff_t job, std::ptrdiff_t) {
        const int r0 = int(job / colBlocks) * kRowBlock, r1 = std::min(rows, r0 + kRowBlock);
        const int c0 = int(job % colBlocks) * kColBlock, c1 = std::min(outCount, c0 + kColBlock);
        const int n = c1 - c0, o0 = outBegin + c0;
        float* yb = y + std::ptrdiff_t(r0) * ldy + c0;
        const float* xb = x + std::ptrdiff_t(r0) * K;
        if (w.storage == Storage::OutIn) {
            // Rows o0 .. o0+n of the stored (out, in) matrix: contiguous.
            std::vector<float> local;
            const float* wb = inPlace ? inPlace + std::ptrdiff_t(o0) * K : nullptr;
            if (!wb) {
                local.resize(std::size_t(n) * K);
                t.toFloat32(std::int64_t(o0) * K, std::int64_t(n) * K, local.data());
                wb = local.data();
            }
            nn::gemm<float>(false, true, r1 - r0, n, K, 1.0f, xb, K, wb, K, 0.0f, yb, ldy);
        } else {
            // Columns o0 .. o0+n of the stored (in, out) matrix: a strided slice.
            std::vector<float> local;
            const float* wb = inPlace ? inPlace + o0 : nullptr;
            int ldw = w.out;
            if (!wb) {
                local.resize(std::size_t(n) * K);
                for (int k = 0; k < K; ++k)
                    t.toFloat32(std::int64_t(k) * w.out + o0, n, local.data() + std::size_t(k) * n);
                wb = local.data(), ldw = n;
            }
            nn::gemm<float>(false, false, r1 - r0, n, K, 1.0f, xb, K, wb, ldw, 0.0f, yb, ldy);
        }
        if (!b.empty())
            for (int r = r0; r < r1; ++r)
                for (int j = 0; j < n; ++j)
                    y[std::ptrdiff_t(r) * ldy + c0 + j] += b[std::size_t(o0) + std::size_t(j)];
    });
}

std::vector<float> denseInOut(const Matrix& w) {
    std::vector<float> stored(std::size_t(w.in) * w.out);
    w.tensor->toFloat32(0, std::int64_t(stored.size()), stored.data());
    if (w.storage == Storage::InOut) return stored;
    std::vector<float> out(stored.size());
    for (int o = 0; o < w.out; ++o)
        for (int i = 0; i < w.in; ++i) out[std::size_t(i) * w.out + o] = stored[std::size_t(o) * w.in + i];
    return out;
}

std::vector<float> vector32(const TensorView* t) {
    if (!t) return {};
    std::vector<float> v(std::size_t(t->elementCount()));
    t->toFloat32(0, t->elementCount(), v.data());
    return v;
}

} // namespace attnscope::hf
