#include "core/nn/linear.h"

#include "core/nn/parallel.h"

#include <Eigen/Core>

namespace attnscope::nn {

namespace {
template <typename T> using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T> using MapM = Eigen::Map<Mat<T>, Eigen::Unaligned, Eigen::OuterStride<>>;
template <typename T> using MapC = Eigen::Map<const Mat<T>, Eigen::Unaligned, Eigen::OuterStride<>>;

template <typename T> MapM<T> rows(MatrixRef<T> m, std::ptrdiff_t r0, std::ptrdiff_t r1) {
    return MapM<T>(m.data + r0 * m.ld, r1 - r0, m.cols, Eigen::OuterStride<>(m.ld));
}
template <typename T> MapC<T> rows(MatrixRef<const T> m, std::ptrdiff_t r0, std::ptrdiff_t r1) {
    return MapC<T>(m.data + r0 * m.ld, r1 - r0, m.cols, Eigen::OuterStride<>(m.ld));
}
template <typename T> MapM<T> cols(MatrixRef<T> m, std::ptrdiff_t c0, std::ptrdiff_t c1) {
    return MapM<T>(m.data + c0, m.rows, c1 - c0, Eigen::OuterStride<>(m.ld));
}
template <typename T> MapC<T> cols(MatrixRef<const T> m, std::ptrdiff_t c0, std::ptrdiff_t c1) {
    return MapC<T>(m.data + c0, m.rows, c1 - c0, Eigen::OuterStride<>(m.ld));
}
template <typename T> MapC<T> all(MatrixRef<const T> m) { return rows(m, 0, m.rows); }

// Rows per thread below which a GEMM is not worth splitting.
constexpr std::ptrdiff_t kMinRows = 32;
constexpr std::ptrdiff_t kMinCols = 16;
} // namespace

template <typename T>
void linear_forward(MatrixRef<T> y, MatrixRef<const T> x, MatrixRef<const T> w, const T* bias) {
    // Threads own disjoint row blocks of Y.
    parallelChunks(x.rows, kMinRows, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        auto yb = rows(y, r0, r1);
        yb.noalias() = rows(x, r0, r1) * all(w);
        if (bias) yb.rowwise() += Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(bias, w.cols);
    });
}

template <typename T>
void linear_backward(MatrixRef<T>* dx, MatrixRef<T>* dw, T* dbias, MatrixRef<const T> dy, MatrixRef<const T> x,
                     MatrixRef<const T> w, bool accumulateDx) {
    if (dx) {
        parallelChunks(dy.rows, kMinRows, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
            auto dxb = rows(*dx, r0, r1);
            if (accumulateDx) dxb.noalias() += rows(dy, r0, r1) * all(w).transpose();
            else dxb.noalias() = rows(dy, r0, r1) * all(w).transpose();
        });
    }
    if (dw || dbias) {
        // Threads own disjoint column blocks of dW and db: no reduction across threads.
        parallelChunks(dy.cols, kMinCols, [&](std::ptrdiff_t c0, std::ptrdiff_t c1) {
            auto dyc = cols(dy, c0, c1);
            if (dw) cols(*dw, c0, c1).noalias() += all(x).transpose() * dyc;
            if (dbias)
                Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(dbias + c0, c1 - c0) += dyc.colwise().sum();
        });
    }
}

template <typename T> void linear_forward_transposed(MatrixRef<T> y, MatrixRef<const T> x, MatrixRef<const T> wt) {
    parallelChunks(x.rows, kMinRows, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        rows(y, r0, r1).noalias() = rows(x, r0, r1) * all(wt).transpose();
    });
}

template <typename T>
void linear_backward_transposed(MatrixRef<T>* dx, MatrixRef<T>* dwt, MatrixRef<const T> dy, MatrixRef<const T> x,
                                MatrixRef<const T> wt) {
    if (dx)
        parallelChunks(dy.rows, kMinRows, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
            rows(*dx, r0, r1).noalias() = rows(dy, r0, r1) * all(wt);
        });
    if (dwt)
        // dWt (out, in) += dYᵀ X: threads own disjoint row blocks of dWt (= columns of dY).
        parallelChunks(dy.cols, kMinCols, [&](std::ptrdiff_t c0, std::ptrdiff_t c1) {
            rows(*dwt, c0, c1).noalias() += cols(dy, c0, c1).transpose() * all(x);
        });
}

#define ATTNSCOPE_INSTANTIATE(T)                                                                                \
    template void linear_forward<T>(MatrixRef<T>, MatrixRef<const T>, MatrixRef<const T>, const T*);            \
    template void linear_backward<T>(MatrixRef<T>*, MatrixRef<T>*, T*, MatrixRef<const T>, MatrixRef<const T>,  \
                                     MatrixRef<const T>, bool);                                                 \
    template void linear_forward_transposed<T>(MatrixRef<T>, MatrixRef<const T>, MatrixRef<const T>);           \
    template void linear_backward_transposed<T>(MatrixRef<T>*, MatrixRef<T>*, MatrixRef<const T>,               \
                                                MatrixRef<const T>, MatrixRef<const T>);
ATTNSCOPE_INSTANTIATE(float)
ATTNSCOPE_INSTANTIATE(double)
#undef ATTNSCOPE_INSTANTIATE

} // namespace attnscope::nn
