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

template <typename T>
void linear_backward(MatrixRef<T>* dx, MatrixRef<T>* dw, T* dbias, MatrixRef<const T> dy,
                     MatrixRef<const T> x, MatrixRef<const T> w, bool accumulateDx,
                     const RowEpilogue& dxEpilogue) {
    // dX, dW and db are independent: their blocks run in one parallel job (one join instead of three), each
    // block computed exactly as it would be alone.
    const std::ptrdiff_t dxBlocks = dx ? blockCount(dy.rows, kRowBlock) : 0;
    // dW += Xᵀ dY in disjoint blocks of dW, split along its longer side: each block packs its share of one
    // operand and all of the other, so splitting the long side repacks the least.
    const bool splitRows = x.cols > dy.cols;
    const std::ptrdiff_t dwBlocks = dw ? blockCount(splitRows ? x.cols : dy.cols, kColBlock) : 0;
    const std::ptrdiff_t dbBlocks = dbias ? blockCount(dy.cols, kColBlock) : 0;
    parallelChunks(dxBlocks + dwBlocks + dbBlocks, 1, [&](std::ptrdiff_t k, std::ptrdiff_t) {
        if (k < dxBlocks) {
            // dX = dY Wᵀ, row blocks.
            const std::ptrdiff_t r0 = k * kRowBlock, r1 = std::min<std::ptrdiff_t>(dy.rows, r0 + kRowBlock);
            gemm(false, true, int(r1 - r0), w.rows, dy.cols, T(1), at(dy, r0, 0), dy.ld, w.data, w.ld,
                 accumulateDx ? T(1) : T(0), at(*dx, r0, 0), dx->ld);
            if (dxEpilogue) dxEpilogue(r0, r1);
        } else if ((k -= dxBlocks) < dwBlocks) {
            const std::ptrdiff_t b0 = k * kColBlock;
            if (splitRows) {
                const std::ptrdiff_t r1 = std::min<std::ptrdiff_t>(x.cols, b0 + kColBlock);
                gemm(true, false, int(r1 - b0), dy.cols, dy.rows, T(1), x.data + b0, x.ld, dy.data, dy.ld,
                     T(1), at(*dw, b0, 0), dw->ld);
            } else {
                const std::ptrdiff_t c1 = std::min<std::ptrdiff_t>(dy.cols, b0 + kColBlock);
                gemm(true, false, x.cols, int(c1 - b0), dy.rows, T(1), x.data, x.ld, at(dy, 0, b0), dy.ld,
                     T(1), at(*dw, 0, b0), dw->ld);
            }
        } else {
            // Column blocks of db; each sums its columns over all rows in row order.
            const std::ptrdiff_t c0 = (k - dwBlocks) * kColBlock;
            const std::ptrdiff_t c1 = std::min<std::ptrdiff_t>(dy.cols, c0 + kColBlock);
            for (std::ptrdiff_t r = 0; r < dy.rows; ++r) {
                const T* row = at(dy, r, 0);
                for (std::ptrdiff_t c = c0; c < c1; ++c) dbias[c] += row[c];
            }
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

#define ATTNSCOPE_INSTANTIATE(T)                                                                             \
    template void linear_forward<T>(MatrixRef<T>, MatrixRef<const T>, MatrixRef<const T>, const T*,          \
                                    const T*, const RowEpilogue&);                                           \
    template void linear_backward<T>(MatrixRef<T>*, MatrixRef<T>*, T*, MatrixRef<const T>,                   \
                                     MatrixRef<const T>, MatrixRef<const T>, bool, const RowEpilogue&);      \
    template void linear_forward_transposed<T>(MatrixRef<T>, MatrixRef<const T>, MatrixRef<const T>);        \
    template void linear_backward_transposed<T>(MatrixRef<T>*, MatrixRef<T>*, MatrixRef<const T>,            \
                                                MatrixRef<const T>, MatrixRef<const T>);
ATTNSCOPE_INSTANTIATE(float)
ATTNSCOPE_INSTANTIATE(double)
#undef ATTNSCOPE_INSTANTIATE

} // namespace attnscope::nn
