#include "core/nn/attention.h"

#include "core/nn/gemm.h"
#include "core/nn/kernels.h"
#include "core/nn/parallel.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

namespace attnscope::nn {

namespace {
template <typename T> using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Per-thread scratch; `Slot` keeps buffers of different shapes apart so none is reallocated per head.
template <typename T, int Slot = 0> Mat<T>& scratch(int rows, int cols) {
    thread_local Mat<T> m;
    if (m.rows() != rows || m.cols() != cols) m.resize(rows, cols);
    return m;
}

// Causal products are done in row blocks of kBlock queries against the keys they can see (0..block end), so
// the masked upper triangle costs at most one diagonal block instead of half of every product.
constexpr int kBlock = 32;

template <typename Fn> void causalBlocks(int T, Fn&& fn) {
    for (int i0 = 0; i0 < T; i0 += kBlock) fn(i0, std::min(T, i0 + kBlock));
}

template <typename T>
void globalForward(T* out, T* P, const T* q, const T* k, const T* v, const AttentionShape& s, int b, int h,
                   double slope, bool relu) {
    const Kernels<T>& kernel = kernels<T>(); // softmax/ReLU rows and dS (kernels.h)
    const T scale = T(1) / std::sqrt(T(s.D));
    const int C = s.C();
    const std::ptrdiff_t base = std::ptrdiff_t(b) * s.T * C + h * s.D;
    causalBlocks(s.T, [&](int i0, int i1) {
        // S = QKᵀ/√D on the visible keys of this block of queries.
        gemm(false, true, i1 - i0, i1, s.D, scale, q + base + std::ptrdiff_t(i0) * C, C, k + base, C, T(0),
             P + std::ptrdiff_t(i0) * s.T, s.T);
        for (int i = i0; i < i1; ++i) {
            T* row = P + std::ptrdiff_t(i) * s.T;
            if (slope != 0)
                for (int j = 0; j <= i; ++j) row[j] -= T(slope * (i - j));
            (relu ? kernel.reluRow : kernel.softmaxRow)(row, i + 1);
            for (int j = i + 1; j < s.T; ++j) row[j] = 0;
        }
        // O = A V; A is exactly 0 above the diagonal.
        gemm(false, false, i1 - i0, s.D, i1, T(1), P + std::ptrdiff_t(i0) * s.T, s.T, v + base, C, T(0),
             out + base + std::ptrdiff_t(i0) * C, C);
    });
}

// A local head (window w) computes in the same query blocks against the band of keys the block can see,
// jlo = max(0, i0 − w + 1) .. i1 − 1: at most kBlock + w − 1 keys, so the head costs O(T·w) — never O(T²) —
// and still runs on GEMMs (LS-attention, Hajra 2025). The block's scores live in a small scratch whose
// entries outside each row's window are set to exactly 0 before A·V.
template <typename T>
void localForward(T* out, T* P, const T* q, const T* k, const T* v, const AttentionShape& s, int b, int h,
                  int w, double slope, bool relu) {
    const Kernels<T>& kernel = kernels<T>(); // softmax/ReLU rows and dS (kernels.h)
    const T scale = T(1) / std::sqrt(T(s.D));
    const int C = s.C();
    const std::ptrdiff_t base = std::ptrdiff_t(b) * s.T * C + h * s.D;
    Mat<T>& band = scratch<T, 1>(kBlock, kBlock + w - 1);
    const int ld = int(band.cols());
    causalBlocks(s.T, [&](int i0, int i1) {
        const int jlo = std::max(0, i0 - w + 1), nk = i1 - jlo;
        T* S = band.data();
        gemm(false, true, i1 - i0, nk, s.D, scale, q + base + std::ptrdiff_t(i0) * C, C,
             k + base + std::ptrdiff_t(jlo) * C, C, T(0), S, ld);
        for (int i = i0; i < i1; ++i) {
            T* row = S + std::ptrdiff_t(i - i0) * ld;
            const int j0 = std::max(0, i - w + 1), n = i - j0 + 1, first = j0 - (i - w + 1);
            T* visible = row + (j0 - jlo);
            if (slope != 0)
                for (int j = j0; j <= i; ++j) visible[j - j0] -= T(slope * (i - j));
            (relu ? kernel.reluRow : kernel.softmaxRow)(visible, n);
            std::fill(row, visible, T(0));
            std::fill(visible + n, row + nk, T(0));
            T* slots = P + std::ptrdiff_t(i) * w; // slot s ↔ key i − w + 1 + s; slots before key 0 are 0
            std::fill(slots, slots + first, T(0));
            std::copy(visible, visible + n, slots + first);
        }
        gemm(false, false, i1 - i0, s.D, nk, T(1), S, ld, v + base + std::ptrdiff_t(jlo) * C, C, T(0),
             out + base + std::ptrdiff_t(i0) * C, C);
    });
}

template <typename T>
void globalBackward(T* dq, T* dk, T* dv, const T* dout, const T* out, const T* P, const T* q, const T* k,
                    const T* v, const AttentionShape& s, int b, int h, bool relu) {
    const Kernels<T>& kernel = kernels<T>(); // softmax/ReLU rows and dS (kernels.h)
    const T scale = T(1) / std::sqrt(T(s.D));
    const int C = s.C();
    const std::ptrdiff_t base = std::ptrdiff_t(b) * s.T * C + h * s.D;
    const T* dO = dout + base;
    T* dS = scratch<T>(s.T, s.T).data(); // rows i, keys j ≤ end of i's block; never read beyond
    causalBlocks(s.T, [&](int i0, int i1) {
        T* dSb = dS + std::ptrdiff_t(i0) * s.T;
        gemm(false, true, i1 - i0, i1, s.D, T(1), dO + std::ptrdiff_t(i0) * C, C, v + base, C, T(0), dSb,
             s.T); // dA
        for (int i = i0; i < i1; ++i) {
            T* row = dS + std::ptrdiff_t(i) * s.T;
            const T* a = P + std::ptrdiff_t(i) * s.T;
            const T delta = relu ? T(0)
                                 : kernel.dot(dO + std::ptrdiff_t(i) * C, out + base + std::ptrdiff_t(i) * C,
                                              s.D); // Σ_j A dA
            kernel.scoreGradRow(row, a, i + 1, delta, scale, relu);
            for (int j = i + 1; j < i1; ++j) row[j] = 0;
        }
        // dQ = dS K over the visible keys.
        gemm(false, false, i1 - i0, s.D, i1, T(1), dSb, s.T, k + base, C, T(0),
             dq + base + std::ptrdiff_t(i0) * C, C);
    });
    // dK = dSᵀ Q and dV = Aᵀ dO: key block j0..j1 receives from queries j0..T−1 only.
    causalBlocks(s.T, [&](int j0, int j1) {
        const std::ptrdiff_t diag = std::ptrdiff_t(j0) * s.T + j0;
        gemm(true, false, j1 - j0, s.D, s.T - j0, T(1), dS + diag, s.T, q + base + std::ptrdiff_t(j0) * C, C,
             T(0), dk + base + std::ptrdiff_t(j0) * C, C);
        gemm(true, false, j1 - j0, s.D, s.T - j0, T(1), P + diag, s.T, dO + std::ptrdiff_t(j0) * C, C, T(0),
             dv + base + std::ptrdiff_t(j0) * C, C);
    });
}

// Same bands as localForward. δ_i = Σ_j A_ij dA_ij is taken from the band itself, so a window-1 head
// (A = 1) gets exactly dS = 0 and q, k exactly no gradient.
template <typename T>
void localBackward(T* dq, T* dk, T* dv, const T* dout, const T* out, const T* P, const T* q, const T* k,
                   const T* v, const AttentionShape& s, int b, int h, int w, bool relu) {
    const Kernels<T>& kernel = kernels<T>(); // softmax/ReLU rows and dS (kernels.h)
    (void)out;
    const T scale = T(1) / std::sqrt(T(s.D));
    const int C = s.C();
    const std::ptrdiff_t base = std::ptrdiff_t(b) * s.T * C + h * s.D;
    const T* dO = dout + base;
    for (int i = 0; i < s.T; ++i) {
        std::fill_n(dk + base + std::ptrdiff_t(i) * C, s.D, T(0));
        std::fill_n(dv + base + std::ptrdiff_t(i) * C, s.D, T(0));
    }
    Mat<T>& dBand = scratch<T, 1>(kBlock, kBlock + w - 1);
    Mat<T>& aBand = scratch<T, 2>(kBlock, kBlock + w - 1);
    const int ld = int(dBand.cols());
    causalBlocks(s.T, [&](int i0, int i1) {
        const int jlo = std::max(0, i0 - w + 1), nk = i1 - jlo;
        T* dS = dBand.data();
        T* A = aBand.data();
        gemm(false, true, i1 - i0, nk, s.D, T(1), dO + std::ptrdiff_t(i0) * C, C,
             v + base + std::ptrdiff_t(jlo) * C, C, T(0), dS, ld); // dA
        for (int i = i0; i < i1; ++i) {
            T* row = dS + std::ptrdiff_t(i - i0) * ld;
            T* arow = A + std::ptrdiff_t(i - i0) * ld;
            const int j0 = std::max(0, i - w + 1), n = i - j0 + 1, first = j0 - (i - w + 1);
            T* visible = row + (j0 - jlo);
            T* a = arow + (j0 - jlo);
            const T* slots = P + std::ptrdiff_t(i) * w;
            std::fill(arow, a, T(0));
            std::copy(slots + first, slots + first + n, a);
            std::fill(a + n, arow + nk, T(0));
            const T delta = relu ? T(0) : kernel.dot(a, visible, n); // Σ_j A dA
            kernel.scoreGradRow(visible, a, n, delta, scale, relu);
            std::fill(row, visible, T(0));
            std::fill(visible + n, row + nk, T(0));
        }
        // dQ = dS K; dK += dSᵀ Q and dV += Aᵀ dO on the band's keys (blocks in order: deterministic).
        gemm(false, false, i1 - i0, s.D, nk, T(1), dS, ld, k + base + std::ptrdiff_t(jlo) * C, C, T(0),
             dq + base + std::ptrdiff_t(i0) * C, C);
        gemm(true, false, nk, s.D, i1 - i0, T(1), dS, ld, q + base + std::ptrdiff_t(i0) * C, C, T(1),
             dk + base + std::ptrdiff_t(jlo) * C, C);
        gemm(true, false, nk, s.D, i1 - i0, T(1), A, ld, dO + std::ptrdiff_t(i0) * C, C, T(1),
             dv + base + std::ptrdiff_t(jlo) * C, C);
    });
}
} // namespace

AttentionLayout::AttentionLayout(const AttentionShape& shape, const std::vector<HeadSpec>& heads)
    : m_shape(shape), m_heads(heads), m_headOffset(heads.size()) {
    for (std::size_t h = 0; h < heads.size(); ++h) {
        m_headOffset[h] = m_perBatch;
        m_perBatch += std::size_t(shape.T) * std::size_t(width(int(h)));
    }
}

namespace {
// Calls fn(b, h, head spec, probability offset) for every (sequence, head) pair. Each pair writes disjoint
// blocks of its outputs, so any schedule gives identical results.
template <typename Fn> void forEachHead(const AttentionLayout& layout, Fn&& fn) {
    const AttentionShape& s = layout.shape();
    parallelChunks(std::ptrdiff_t(s.B) * s.H, 1, [&](std::ptrdiff_t p, std::ptrdiff_t) {
        const int b = int(p / s.H), h = int(p % s.H);
        fn(b, h, layout.heads()[h], layout.offset(b, h));
    });
}
} // namespace

template <typename T>
void attention_forward(T* out, T* probs, const T* q, const T* k, const T* v, const AttentionLayout& layout) {
    const AttentionShape& s = layout.shape();
    forEachHead(layout, [&](int b, int h, const HeadSpec& hs, std::size_t offset) {
        if (hs.window > 0)
            localForward(out, probs + offset, q, k, v, s, b, h, hs.window, hs.slope, hs.relu);
        else
            globalForward(out, probs + offset, q, k, v, s, b, h, hs.slope, hs.relu);
    });
}

template <typename T>
void attention_backward(T* dq, T* dk, T* dv, const T* dout, const T* out, const T* probs, const T* q,
                        const T* k, const T* v, const AttentionLayout& layout) {
    const AttentionShape& s = layout.shape();
    forEachHead(layout, [&](int b, int h, const HeadSpec& hs, std::size_t offset) {
        if (hs.window > 0)
            localBackward(dq, dk, dv, dout, out, probs + offset, q, k, v, s, b, h, hs.window, hs.relu);
        else
            globalBackward(dq, dk, dv, dout, out, probs + offset, q, k, v, s, b, h, hs.relu);
    });
}

template <typename T>
void attention_dense(T* dense, const T* probs, const AttentionLayout& layout, int b, int h) {
    const AttentionShape& s = layout.shape();
    const T* P = probs + layout.offset(b, h);
    const int w = layout.heads()[h].window;
    for (int i = 0; i < s.T; ++i)
        for (int j = 0; j < s.T; ++j) {
            T value = 0;
            if (w == 0)
                value = P[std::ptrdiff_t(i) * s.T + j];
            else if (j <= i && i - j < w)
                value = P[std::ptrdiff_t(i) * w + (j - (i - w + 1))];
            dense[std::ptrdiff_t(i) * s.T + j] = value;
        }
}

// T is a type in an explicit instantiation, where parentheses are not allowed.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ATTNSCOPE_INSTANTIATE(T)                                                                             \
    template void attention_forward<T>(T*, T*, const T*, const T*, const T*, const AttentionLayout&);        \
    template void attention_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*, const T*,        \
                                        const T*, const AttentionLayout&);                                   \
    template void attention_dense<T>(T*, const T*, const AttentionLayout&, int, int);
// NOLINTEND(bugprone-macro-parentheses)
ATTNSCOPE_INSTANTIATE(float)
ATTNSCOPE_INSTANTIATE(double)
#undef ATTNSCOPE_INSTANTIATE

} // namespace attnscope::nn
