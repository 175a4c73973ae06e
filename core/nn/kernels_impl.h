// The hot loops of kernels.h, included by exactly two translation units: kernels_baseline.cpp and
// kernels_avx2.cpp, which define ATTNSCOPE_KERNEL_TABLE (the name of the function that returns this copy's
// table) and are compiled with different instruction sets. Everything here has internal linkage, and the AVX2
// unit renames Eigen's namespace, so no inline function compiled for AVX2 can be picked by the linker for the
// rest of the program (tests: kernel_isolation).
#ifndef ATTNSCOPE_KERNEL_TABLE
#error "kernels_impl.h is included only by kernels_baseline.cpp and kernels_avx2.cpp"
#endif
#include "core/nn/kernels.h"

#include <Eigen/Core>
#include <cmath>

namespace attnscope::nn {

namespace {

constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kCubic = 0.044715;
template <typename T> using Arr = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T> using CArr = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

// GELU(u) = ½u(1 + tanh s), s = √(2/π)(u + 0.044715u³) (gelu.h). Eigen's array tanh is vectorised; a scalar
// std::tanh per element was the single largest cost of a training step.
template <typename T> void geluForward(T* y, const T* u, long n) {
    CArr<T> x(u, n);
    Arr<T> out(y, n);
    out = T(0.5) * x * (T(1) + (T(kSqrt2OverPi) * (x + T(kCubic) * x.cube())).tanh());
}

template <typename T> void geluBackward(T* du, const T* dy, const T* u, long n) {
    CArr<T> x(u, n), g(dy, n);
    Arr<T> out(du, n);
    const auto th = (T(kSqrt2OverPi) * (x + T(kCubic) * x.cube())).tanh().eval();
    out = g * (T(0.5) * (T(1) + th) +
               T(0.5) * x * (T(1) - th * th) * (T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * x.square())));
}

template <typename T>
void layerNormForward(T* y, T* mean, T* rstd, const T* x, const T* gamma, const T* beta, std::ptrdiff_t r0,
                      std::ptrdiff_t r1, int C, T eps) {
    for (std::ptrdiff_t r = r0; r < r1; ++r) {
        const T* xr = x + r * C;
        // simd reductions: a fixed lane order, so still the same bits on every run.
        T m = 0;
#pragma omp simd reduction(+ : m)
        for (int i = 0; i < C; ++i) m += xr[i];
        m /= T(C);
        T v = 0;
#pragma omp simd reduction(+ : v)
        for (int i = 0; i < C; ++i) v += (xr[i] - m) * (xr[i] - m);
        v /= T(C);
        const T s = T(1) / std::sqrt(v + eps);
        T* yr = y + r * C;
        if (beta)
            for (int i = 0; i < C; ++i) yr[i] = (xr[i] - m) * s * gamma[i] + beta[i];
        else
            for (int i = 0; i < C; ++i) yr[i] = (xr[i] - m) * s * gamma[i];
        mean[r] = m;
        rstd[r] = s;
    }
}

template <typename T>
void layerNormBackward(T* dx, T* pg, T* pb, const T* dy, const T* x, const T* gamma, const T* mean,
                       const T* rstd, std::ptrdiff_t r0, std::ptrdiff_t r1, int C, bool accumulateDx) {
    for (std::ptrdiff_t r = r0; r < r1; ++r) {
        const T* xr = x + r * C;
        const T* dyr = dy + r * C;
        const T m = mean[r], s = rstd[r];
        T meanG = 0, meanGx = 0;
#pragma omp simd reduction(+ : meanG, meanGx)
        for (int i = 0; i < C; ++i) {
            const T xh = (xr[i] - m) * s;
            const T g = dyr[i] * gamma[i];
            meanG += g;
            meanGx += g * xh;
            pg[i] += dyr[i] * xh;
            pb[i] += dyr[i];
        }
        meanG /= T(C);
        meanGx /= T(C);
        T* dxr = dx + r * C;
        for (int i = 0; i < C; ++i) {
            const T xh = (xr[i] - m) * s;
            const T v = s * (dyr[i] * gamma[i] - meanG - xh * meanGx);
            dxr[i] = accumulateDx ? dxr[i] + v : v;
        }
    }
}

// Eigen's array exp is vectorised.
template <typename T> void softmaxRow(T* row, int n) {
    Arr<T> r(row, n);
    r = (r - r.maxCoeff()).exp();
    r *= T(1) / r.sum();
}

template <typename T> void reluRow(T* row, int n) {
    const T inv = T(1) / T(n);
#pragma omp simd
    for (int j = 0; j < n; ++j) row[j] = row[j] > T(0) ? row[j] * inv : T(0);
}

// Softmax dS_j = A_j (dA_j − Σ_k A_k dA_k); ReLU dS_j = 1[S_j > 0]·dA_j/n (A_j > 0 ⇔ S_j > 0, so the stored
// weights carry the mask). Both times `scale`.
template <typename T> void scoreGradRow(T* dA, const T* a, int n, T delta, T scale, bool relu) {
    if (relu) {
        const T f = scale / T(n);
        for (int j = 0; j < n; ++j) dA[j] = a[j] > T(0) ? dA[j] * f : T(0);
    } else {
        for (int j = 0; j < n; ++j) dA[j] = a[j] * (dA[j] - delta) * scale;
    }
}

template <typename T> T dot(const T* a, const T* b, int n) {
    T s = 0;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

// Loshchilov & Hutter 2019, Algorithm 2 (decoupled weight decay). Vectorised: these units are compiled with
// -fno-math-errno, so std::sqrt is one instruction (vsqrtps rounds like vsqrtss). ‖Δθ‖² is summed in double
// in a fixed lane order; Δθ itself is the same arithmetic with or without measuring.
template <typename T>
double adamw(T* p, const T* g, T* m, T* v, std::ptrdiff_t n, const AdamWCoefficients<T>& c, bool measure) {
    const T b1 = c.beta1, b2 = c.beta2, c1 = c.correction1, c2 = c.correction2, lr = c.lr, eps = c.eps,
            decay = c.decay;
    double du2 = 0;
    if (measure) {
#pragma omp simd reduction(+ : du2)
        for (std::ptrdiff_t i = 0; i < n; ++i) {
            m[i] = b1 * m[i] + (T(1) - b1) * g[i];
            v[i] = b2 * v[i] + (T(1) - b2) * g[i] * g[i];
            const T mhat = m[i] / c1, vhat = v[i] / c2;
            const T delta = -decay * p[i] - lr * mhat / (std::sqrt(vhat) + eps);
            du2 += double(delta) * delta;
            p[i] += delta;
        }
        return du2;
    }
#pragma omp simd
    for (std::ptrdiff_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (T(1) - b1) * g[i];
        v[i] = b2 * v[i] + (T(1) - b2) * g[i] * g[i];
        const T mhat = m[i] / c1, vhat = v[i] / c2;
        const T delta = -decay * p[i] - lr * mhat / (std::sqrt(vhat) + eps);
        p[i] += delta;
    }
    return du2;
}

template <typename T> const Kernels<T>& table() {
    static const Kernels<T> t{&geluForward<T>,       &geluBackward<T>, &layerNormForward<T>,
                              &layerNormBackward<T>, &softmaxRow<T>,   &reluRow<T>,
                              &scoreGradRow<T>,      &dot<T>,          &adamw<T>};
    return t;
}

} // namespace

template <> const Kernels<float>& ATTNSCOPE_KERNEL_TABLE<float>() {
    return table<float>();
}
template <> const Kernels<double>& ATTNSCOPE_KERNEL_TABLE<double>() {
    return table<double>();
}

} // namespace attnscope::nn
