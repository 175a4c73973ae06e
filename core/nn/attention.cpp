#include "core/nn/attention.h"

#include "core/nn/gemm.h"
#include "core/nn/parallel.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

namespace attnscope::nn {

namespace {
template <typename T> using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <typename T> T dot(const T* a, const T* b, int n) {
    T s = 0;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

template <typename T> void axpy(T* y, T a, const T* x, int n) {
#pragma omp simd
    for (int i = 0; i < n; ++i) y[i] += a * x[i];
}

// Softmax over row[0..n) in place, row holds scores. Eigen's array exp is vectorised.
template <typename T> void softmaxInPlace(T* row, int n) {
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> r(row, n);
    r = (r - r.maxCoeff()).exp();
    r *= T(1) / r.sum();
}

// ReLU attention over row[0..n) in place: relu(S)/n.
template <typename T> void reluInPlace(T* row, int n) {
    const T inv = T(1) / T(n);
#pragma omp simd
    for (int j = 0; j < n; ++j) row[j] = row[j] > T(0) ? row[j] * inv : T(0);
}

// dA → dS for one row: softmax dS_j = A_j (dA_j − Σ_k A_k dA_k); ReLU dS_j = 1[S_j > 0]·dA_j/n (A_j > 0 ⇔
// S_j > 0, so the stored weights carry the mask). Both times `scale` (1/√D, for dq and dk).
template <typename T> void scoreGradInPlace(T* dA, const T* a, int n, T delta, T scale, bool relu) {
    if (relu) {
        const T f = scale / T(n);
        for (int j = 0; j < n; ++j) dA[j] = a[j] > T(0) ? dA[j] * f : T(0);
    } else {
        for (int j = 0; j < n; ++j) dA[j] = a[j] * (dA[j] - delta) * scale;
    }
}

template <typename T> Mat<T>& scratch(int rows, int cols) {
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
            if (relu)
                reluInPlace(row, i + 1);
            else
                softmaxInPlace(row, i + 1);
            for (int j = i + 1; j < s.T; ++j) row[j] = 0;
        }
        // O = A V; A is exactly 0 above the diagonal.
        gemm(false, false, i1 - i0, s.D, i1, T(1), P + std::ptrdiff_t(i0) * s.T, s.T, v + base, C, T(0),
             out + base + std::ptrdiff_t(i0) * C, C);
    });
}

template <typename T>
void localForward(T* out, T* P, const T* q, const T* k, const T* v, const AttentionShape& s, int b, int h,
                  int w, double slope, bool relu) {
    const T scale = T(1) / std::sqrt(T(s.D));
    const int C = s.C();
    const T* qb = q + std::ptrdiff_t(b) * s.T * C + h * s.D;
    const T* kb = k + std::ptrdiff_t(b) * s.T * C + h * s.D;
    const T* vb = v + std::ptrdiff_t(b) * s.T * C + h * s.D;
    T* ob = out + std::ptrdiff_t(b) * s.T * C + h * s.D;
    for (int i = 0; i < s.T; ++i) {
        const int j0 = std::max(0, i - w + 1), first = j0 - (i - w + 1);
        T* row = P + std::ptrdiff_t(i) * w;
        for (int sl = 0; sl < first; ++sl) row[sl] = 0;
        for (int j = j0; j <= i; ++j)
            row[j - (i - w + 1)] =
                dot(qb + std::ptrdiff_t(i) * C, kb + std::ptrdiff_t(j) * C, s.D) * scale - T(slope * (i - j));
        if (relu)
            reluInPlace(row + first, i - j0 + 1);
        else
            softmaxInPlace(row + first, i - j0 + 1);
        T* o = ob + std::ptrdiff_t(i) * C;
        for (int d = 0; d < s.D; ++d) o[d] = 0;
        for (int j = j0; j <= i; ++j) axpy(o, row[j - (i - w + 1)], vb + std::ptrdiff_t(j) * C, s.D);
    }
}

template <typename T>
void globalBackward(T* dq, T* dk, T* dv, const T* dout, const T* out, const T* P, const T* q, const T* k,
                    const T* v, const AttentionShape& s, int b, int h, bool relu) {
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
            const T delta =
                relu ? T(0)
                     : dot(dO + std::ptrdiff_t(i) * C, out + base + std::ptrdiff_t(i) * C, s.D); // Σ_j A dA
            scoreGradInPlace(row, a, i + 1, delta, scale, relu);
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

template <typename T>
void localBackward(T* dq, T* dk, T* dv, const T* dout, const T* out, const T* P, const T* q, const T* k,
                   const T* v, const AttentionShape& s, int b, int h, int w, bool relu) {
    const T scale = T(1) / std::sqrt(T(s.D));
    const int C = s.C();
    const std::ptrdiff_t base = std::ptrdiff_t(b) * s.T * C + h * s.D;
    for (int i = 0; i < s.T; ++i) {
        for (int d = 0; d < s.D; ++d) {
            dk[base + std::ptrdiff_t(i) * C + d] = 0;
            dv[base + std::ptrdiff_t(i) * C + d] = 0;
        }
    }
    for (int i = 0; i < s.T; ++i) {
        const int j0 = std::max(0, i - w + 1);
        const T* row = P + std::ptrdiff_t(i) * w;
        const T* dOi = dout + base + std::ptrdiff_t(i) * C;
        const T delta = relu ? T(0) : dot(dOi, out + base + std::ptrdiff_t(i) * C, s.D);
        const T reluScale = scale / T(i - j0 + 1);
        T* dqi = dq + base + std::ptrdiff_t(i) * C;
        for (int d = 0; d < s.D; ++d) dqi[d] = 0;
        for (int j = j0; j <= i; ++j) {
            const T a = row[j - (i - w + 1)];
            const T* vj = v + base + std::ptrdiff_t(j) * C;
            const T dS = relu ? (a > T(0) ? dot(dOi, vj, s.D) * reluScale : T(0))
                              : a * (dot(dOi, vj, s.D) - delta) * scale;
            axpy(dqi, dS, k + base + std::ptrdiff_t(j) * C, s.D);
            axpy(dk + base + std::ptrdiff_t(j) * C, dS, q + base + std::ptrdiff_t(i) * C, s.D);
            axpy(dv + base + std::ptrdiff_t(j) * C, a, dOi, s.D);
        }
    }
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
    const int pairs = s.B * s.H;
#pragma omp parallel for schedule(dynamic, 1) if (pairs > 1 && !omp_in_parallel())
    for (int p = 0; p < pairs; ++p) {
        const int b = p / s.H, h = p % s.H;
        fn(b, h, layout.heads()[h], layout.offset(b, h));
    }
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

#define ATTNSCOPE_INSTANTIATE(T)                                                                             \
    template void attention_forward<T>(T*, T*, const T*, const T*, const T*, const AttentionLayout&);        \
    template void attention_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*, const T*,        \
                                        const T*, const AttentionLayout&);                                   \
    template void attention_dense<T>(T*, const T*, const AttentionLayout&, int, int);
ATTNSCOPE_INSTANTIATE(float)
ATTNSCOPE_INSTANTIATE(double)
#undef ATTNSCOPE_INSTANTIATE

} // namespace attnscope::nn
