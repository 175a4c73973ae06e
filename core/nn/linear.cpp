#include "core/nn/linear.h"

#include "core/nn/gemm.h"
#include "core/nn/parallel.h"

#include <algorithm>

namespace attnscope::nn {

namespace {
// GEMMs are cut into fixed blocks (parallel.h): big enough to run near peak, small enough to share
// R1's 2048 rows and 128 columns between threads.
constexpr std::ptrdiff_t kRowBlock = 512;
constexpr std::ptrdiff_t kColBlock = 64;

template <typename T> const T* at(MatrixRef<const T> m, std::ptrdiff_t r, std::ptrdiff_t c) {
    return m.data + r * m.ld + c;
}
template <typename T> T* at(MatrixRef<T> m, std::ptrdiff_t r, std::ptrdiff_t c) {
    return m.data + r * m.ld + c;
}
} // namespace

template <typename T>
void linear_forward(MatrixRef<T> y, MatrixRef<const T> x, MatrixRef<const T> w, const T* bias,
                    const T* residual, const RowEpilogue& epilogue) {
    // Row blocks of Y; bias and residual are written first and the product added onto them.
    parallelChunks(x.rows, kRowBlock, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        for (std::ptrdiff_t r = r0; r < r1 && (bias || residual); ++r) {
            T* row = at(y, r, 0);
            const T* res = residual ? residual + r * y.ld : nullptr;
            if (bias && res) {
#pragma omp simd
                for (int c = 0; c < w.cols; ++c) row[c] = res[c] + bias[c];
            } else {
                std::copy_n(bias ? bias : res, w.cols, row);
            }
        }
        gemm(false, false, int(r1 - r0), w.cols, x.cols, T(1), at(x, r0, 0), x.ld, w.data, w.ld,
             bias || residual ? T(1) : T(0), at(y, r0, 0), y.ld);
        if (epilogue) epilogue(r0, r1);
    });
}

namespace {
// One job for dX, then every part's dW and db blocks (independent of each other and of dX); then, when the
// rows span several blocks, one job that adds the dW partials.
template <typename T>
void backwardShared(MatrixRef<T>* dx, bool accumulateDx, MatrixRef<const T> x,
                    const std::vector<LinearGrad<T>>& parts, const RowEpilogue& dxEpilogue) {
    const std::ptrdiff_t rows = x.rows;
    const std::ptrdiff_t dxBlocks = dx ? blockCount(rows, kRowBlock) : 0;
    // dW += Xᵀ dY is split along the rows (the GEMMs' K): row block b writes the partial Xᵀ_b dY_b of the
    // whole dW into its own buffer, and the partials are added in block order afterwards. Each block packs
    // its rows of X and dY once; splitting dW's columns instead repacked all of X (or dY) for every column
    // block (+5–10% on R1's dW products in a microbenchmark). With one row block the GEMM accumulates into
    // dW.
    const std::ptrdiff_t kBlocks = blockCount(rows, kRowBlock);
    const bool partials = kBlocks > 1;
    struct Block {
        std::size_t part;
        bool bias;
        std::ptrdiff_t b0; // first row (dW) or column (db)
    };
    std::vector<Block> blocks;
    std::vector<std::size_t> partialOffset(parts.size(), 0);
    std::size_t partialFloats = 0;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        const LinearGrad<T>& g = parts[p];
        if (g.dw) {
            for (std::ptrdiff_t b = 0; b < rows; b += kRowBlock) blocks.push_back({p, false, b});
            partialOffset[p] = partialFloats;
            if (partials) partialFloats += std::size_t((kBlocks - 1) * x.cols * g.dy.cols);
        }
        if (g.dbias)
            for (std::ptrdiff_t b = 0; b < g.dy.cols; b += kColBlock) blocks.push_back({p, true, b});
    }
    static thread_local std::vector<T> scratch; // the calling thread's, reused across steps
    if (scratch.size() < partialFloats) scratch.resize(partialFloats);
    T* const partialBase = scratch.data();
    parallelChunks(dxBlocks + std::ptrdiff_t(blocks.size()), 1, [&](std::ptrdiff_t k, std::ptrdiff_t) {
        if (k < dxBlocks) {
            // dX = Σ_i dY_i W_iᵀ on a row block, parts in order.
            const std::ptrdiff_t r0 = k * kRowBlock, r1 = std::min(rows, r0 + kRowBlock);
            for (std::size_t p = 0; p < parts.size(); ++p) {
                const LinearGrad<T>& g = parts[p];
                gemm(false, true, int(r1 - r0), g.w.rows, g.dy.cols, T(1), at(g.dy, r0, 0), g.dy.ld, g.w.data,
                     g.w.ld, accumulateDx || p > 0 ? T(1) : T(0), at(*dx, r0, 0), dx->ld);
            }
            if (dxEpilogue) dxEpilogue(r0, r1);
            return;
        }
        const Block& blk = blocks[std::size_t(k - dxBlocks)];
        const LinearGrad<T>& g = parts[blk.part];
        const MatrixRef<const T> dy = g.dy;
        const std::ptrdiff_t b0 = blk.b0;
        if (blk.bias) {
            // Column block of db; sums its columns over all rows in row order.
            const std::ptrdiff_t c1 = std::min<std::ptrdiff_t>(dy.cols, b0 + kColBlock);
            T* db = g.dbias;
            for (std::ptrdiff_t r = 0; r < dy.rows; ++r) {
                const T* row = at(dy, r, 0);
#pragma omp simd
                for (std::ptrdiff_t c = b0; c < c1; ++c) db[c] += row[c];
            }
            return;
        }
        const std::ptrdiff_t r1 = std::min(rows, b0 + kRowBlock);
        if (!partials || b0 == 0) {
            // The first row block accumulates straight into dW (nobody else writes dW during this job); the
            // others are added after it, in order.
            gemm(true, false, int(x.cols), int(dy.cols), int(r1 - b0), T(1), at(x, b0, 0), x.ld,
                 at(dy, b0, 0), dy.ld, T(1), g.dw->data, g.dw->ld);
            return;
        }
        T* partial =
            partialBase + partialOffset[blk.part] + std::size_t((b0 / kRowBlock - 1) * x.cols * dy.cols);
        gemm(true, false, int(x.cols), int(dy.cols), int(r1 - b0), T(1), at(x, b0, 0), x.ld, at(dy, b0, 0),
             dy.ld, T(0), partial, int(dy.cols));
    });
    if (!partials) return;
    // dW += Σ_{b ≥ 1} partial_b, blocks in order, over the rows of every part's dW (one job).
    std::vector<std::size_t> withDw;
    for (std::size_t p = 0; p < parts.size(); ++p)
        if (parts[p].dw) withDw.push_back(p);
    const std::ptrdiff_t dwRows = x.cols;
    parallelChunks(std::ptrdiff_t(withDw.size()) * dwRows, 16, [&](std::ptrdiff_t i0, std::ptrdiff_t i1) {
        for (std::ptrdiff_t i = i0; i < i1; ++i) {
            const std::size_t p = withDw[std::size_t(i / dwRows)];
            const std::ptrdiff_t r = i % dwRows, cols = parts[p].dy.cols;
            T* out = at(*parts[p].dw, r, 0);
            const T* part = partialBase + partialOffset[p] + std::size_t(r * cols);
            for (std::ptrdiff_t b = 1; b < kBlocks; ++b, part += dwRows * cols) {
#pragma omp simd
                for (std::ptrdiff_t c = 0; c < cols; ++c) out[c] += part[c];
            }
        }
    });
}
} // namespace

template <typename T>
void linear_backward(MatrixRef<T>* dx, MatrixRef<T>* dw, T* dbias, MatrixRef<const T> dy,
                     MatrixRef<const T> x, MatrixRef<const T> w, bool accumulateDx,
                     const RowEpilogue& dxEpilogue) {
    backwardShared(dx, accumulateDx, x, {{dy, w, dw, dbias}}, dxEpilogue);
}

template <typename T>
void linear_backward_shared(MatrixRef<T>* dx, bool accumulateDx, MatrixRef<const T> x,
                            const std::vector<LinearGrad<T>>& parts) {
    backwardShared(dx, accumulateDx, x, parts, {});
}

template <typename T>
void linear_forward_shared(MatrixRef<const T> x, const std::vector<LinearOut<T>>& parts) {
    parallelChunks(x.rows, kRowBlock, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        for (const LinearOut<T>& p : parts) {
            if (p.bias)
                for (std::ptrdiff_t r = r0; r < r1; ++r) std::copy_n(p.bias, p.w.cols, at(p.y, r, 0));
            gemm(false, false, int(r1 - r0), p.w.cols, x.cols, T(1), at(x, r0, 0), x.ld, p.w.data, p.w.ld,
                 p.bias ? T(1) : T(0), at(p.y, r0, 0), p.y.ld);
        }
    });
}

template <typename T>
void linear_forward_transposed(MatrixRef<T> y, MatrixRef<const T> x, MatrixRef<const T> wt) {
    parallelChunks(x.rows, kRowBlock, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        gemm(false, true, int(r1 - r0), wt.rows, x.cols, T(1), at(x, r0, 0), x.ld, wt.data, wt.ld, T(0),
             at(y, r0, 0), y.ld);
    });
}

template <typename T>
void linear_backward_transposed(MatrixRef<T>* dx, MatrixRef<T>* dwt, MatrixRef<const T> dy,
                                MatrixRef<const T> x, MatrixRef<const T> wt) {
    if (dx)
        parallelChunks(dy.rows, kRowBlock, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
            gemm(false, false, int(r1 - r0), wt.cols, dy.cols, T(1), at(dy, r0, 0), dy.ld, wt.data, wt.ld,
                 T(0), at(*dx, r0, 0), dx->ld);
        });
    if (dwt)
        // dWt (out, in) += dYᵀ X in row blocks of dWt (= columns of dY).
        parallelChunks(dy.cols, kColBlock, [&](std::ptrdiff_t c0, std::ptrdiff_t c1) {
            gemm(true, false, int(c1 - c0), x.cols, dy.rows, T(1), at(dy, 0, c0), dy.ld, x.data, x.ld, T(1),
                 at(*dwt, c0, 0), dwt->ld);
        });
}

// T is a type in an explicit instantiation, where parentheses are not allowed.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ATTNSCOPE_INSTANTIATE(T)                                                                             \
    template void linear_forward<T>(MatrixRef<T>, MatrixRef<const T>, MatrixRef<const T>, const T*,          \
                                    const T*, const RowEpilogue&);                                           \
    template void linear_backward<T>(MatrixRef<T>*, MatrixRef<T>*, T*, MatrixRef<const T>,                   \
                                     MatrixRef<const T>, MatrixRef<const T>, bool, const RowEpilogue&);      \
    template void linear_forward_transposed<T>(MatrixRef<T>, MatrixRef<const T>, MatrixRef<const T>);        \
    template void linear_backward_transposed<T>(MatrixRef<T>*, MatrixRef<T>*, MatrixRef<const T>,            \
                                                MatrixRef<const T>, MatrixRef<const T>);                     \
    template void linear_forward_shared<T>(MatrixRef<const T>, const std::vector<LinearOut<T>>&);            \
    template void linear_backward_shared<T>(MatrixRef<T>*, bool, MatrixRef<const T>,                         \
                                            const std::vector<LinearGrad<T>>&);
// NOLINTEND(bugprone-macro-parentheses)
ATTNSCOPE_INSTANTIATE(float)
ATTNSCOPE_INSTANTIATE(double)
#undef ATTNSCOPE_INSTANTIATE

} // namespace attnscope::nn
