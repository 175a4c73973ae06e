#include "bench/peak.h"

#include "core/nn/gemm.h"

#include <Eigen/Core>
#include <chrono>
#include <cstring>
#include <immintrin.h>
#include <omp.h>

namespace attnscope::bench {

namespace {
using Clock = std::chrono::steady_clock;

// 12 independent accumulators hide the FMA latency (4 cycles × 2 ports on current cores).
template <typename V, typename Fma, typename Set>
double fmaLoop(long iterations, Fma fma, Set set, int lanes) {
    V acc[12];
    for (int i = 0; i < 12; ++i) acc[i] = set(1.0f + i * 1e-3f);
    const V a = set(0.999999f), b = set(1e-7f);
    for (long it = 0; it < iterations; ++it)
        for (int i = 0; i < 12; ++i) acc[i] = fma(acc[i], a, b);
    float sink = 0;
    for (int i = 0; i < 12; ++i) {
        alignas(64) float out[16];
        std::memcpy(out, &acc[i], sizeof(V));
        sink += out[0];
    }
    volatile float keep = sink;
    (void)keep;
    return 2.0 * lanes * 12.0 * double(iterations);
}

double fmaFlops(long iterations) {
#if defined(__AVX512F__)
    return fmaLoop<__m512>(
        iterations, [](__m512 c, __m512 a, __m512 b) { return _mm512_fmadd_ps(c, a, b); },
        [](float x) { return _mm512_set1_ps(x); }, 16);
#elif defined(__AVX2__) && defined(__FMA__)
    return fmaLoop<__m256>(
        iterations, [](__m256 c, __m256 a, __m256 b) { return _mm256_fmadd_ps(c, a, b); },
        [](float x) { return _mm256_set1_ps(x); }, 8);
#else
    return fmaLoop<__m128>(
        iterations, [](__m128 c, __m128 a, __m128 b) { return _mm_add_ps(_mm_mul_ps(c, a), b); },
        [](float x) { return _mm_set1_ps(x); }, 4);
#endif
}
} // namespace

double fmaPeakGflops(int threads) {
    const long iterations = 20'000'000;
    double best = 0;
    for (int rep = 0; rep < 3; ++rep) {
        const auto t0 = Clock::now();
        double flops = 0;
#pragma omp parallel num_threads(threads) reduction(+ : flops)
        flops += fmaFlops(iterations);
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        best = std::max(best, flops / s / 1e9);
    }
    return best;
}

namespace {
using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename Product> double bestGflops(int m, int k, int n, Product product) {
    Mat a = Mat::Random(m, k), b = Mat::Random(k, n), c(m, n);
    double best = 0;
    for (int rep = 0; rep < 5; ++rep) {
        const auto t0 = Clock::now();
        product(a, b, c);
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        best = std::max(best, 2.0 * m * k * n / s / 1e9);
    }
    volatile float keep = c(0, 0);
    (void)keep;
    return best;
}
} // namespace

double gemmGflops(int m, int k, int n) {
    return bestGflops(m, k, n, [&](const Mat& a, const Mat& b, Mat& c) {
        nn::gemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
    });
}

double eigenGemmGflops(int m, int k, int n) {
    return bestGflops(m, k, n, [](const Mat& a, const Mat& b, Mat& c) { c.noalias() = a * b; });
}

} // namespace attnscope::bench
