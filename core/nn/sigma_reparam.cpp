#include "core/nn/sigma_reparam.h"

#include <Eigen/Core>
#include <Eigen/SVD>
#include <cmath>

namespace attnscope::nn {

namespace {
template <typename T> using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T> using MapM = Eigen::Map<Mat<T>, Eigen::Unaligned, Eigen::OuterStride<>>;
template <typename T> using MapC = Eigen::Map<const Mat<T>, Eigen::Unaligned, Eigen::OuterStride<>>;
template <typename T> using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <typename T> MapC<T> view(MatrixRef<const T> m) {
    return MapC<T>(m.data, m.rows, m.cols, Eigen::OuterStride<>(m.ld));
}
template <typename T> MapM<T> view(MatrixRef<T> m) {
    return MapM<T>(m.data, m.rows, m.cols, Eigen::OuterStride<>(m.ld));
}
} // namespace

template <typename T> T sigma_power_step(MatrixRef<const T> w, T* a, T* b) {
    auto W = view(w);
    Eigen::Map<Vec<T>> av(a, w.rows), bv(b, w.cols);
    // Computed in double so the float and double engines follow the same direction sequence closely.
    Vec<double> an = W.template cast<double>() * bv.template cast<double>();
    an /= std::max(an.norm(), 1e-30);
    Vec<double> bn = W.template cast<double>().transpose() * an;
    bn /= std::max(bn.norm(), 1e-30);
    av = an.cast<T>();
    bv = bn.cast<T>();
    return sigma_estimate<T>(w, a, b);
}

template <typename T> T sigma_estimate(MatrixRef<const T> w, const T* a, const T* b) {
    auto W = view(w);
    Eigen::Map<const Vec<T>> av(a, w.rows), bv(b, w.cols);
    return T(av.template cast<double>().dot(W.template cast<double>() * bv.template cast<double>()));
}

template <typename T> T sigma_init_svd(MatrixRef<const T> w, T* a, T* b) {
    Eigen::MatrixXd W = view(w).template cast<double>();
    Eigen::BDCSVD<Eigen::MatrixXd> svd(W, Eigen::ComputeThinU | Eigen::ComputeThinV);
    Eigen::Map<Vec<T>> av(a, w.rows), bv(b, w.cols);
    av = svd.matrixU().col(0).cast<T>();
    bv = svd.matrixV().col(0).cast<T>();
    return T(svd.singularValues()(0));
}

template <typename T> void sigma_effective(MatrixRef<T> what, MatrixRef<const T> w, T gamma, T sigma) {
    view(what) = view(w) * (gamma / sigma);
}

template <typename T>
T sigma_backward(MatrixRef<T> g, MatrixRef<const T> w, const T* a, const T* b, T gamma, T sigma) {
    auto G = view(g);
    auto W = view(w);
    Eigen::Map<const Vec<T>> av(a, w.rows), bv(b, w.cols);
    const T gw = T((G.template cast<double>().cwiseProduct(W.template cast<double>())).sum());
    const T dGamma = gw / sigma;
    G = (gamma / sigma) * (G - (gw / sigma) * (av * bv.transpose()));
    return dGamma;
}

// T is a type in an explicit instantiation, where parentheses are not allowed.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ATTNSCOPE_INSTANTIATE(T)                                                                             \
    template T sigma_power_step<T>(MatrixRef<const T>, T*, T*);                                              \
    template T sigma_estimate<T>(MatrixRef<const T>, const T*, const T*);                                    \
    template T sigma_init_svd<T>(MatrixRef<const T>, T*, T*);                                                \
    template void sigma_effective<T>(MatrixRef<T>, MatrixRef<const T>, T, T);                                \
    template T sigma_backward<T>(MatrixRef<T>, MatrixRef<const T>, const T*, const T*, T, T);
// NOLINTEND(bugprone-macro-parentheses)
ATTNSCOPE_INSTANTIATE(float)
ATTNSCOPE_INSTANTIATE(double)
#undef ATTNSCOPE_INSTANTIATE

} // namespace attnscope::nn
