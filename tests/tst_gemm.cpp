// The GEMM backend (core/nn/gemm.h): every transpose combination, leading dimensions wider than the matrix,
// beta accumulation, and — because the engine calls it from several OpenMP threads at once — concurrent calls
// giving bit-identical results to the same calls made one at a time.
#include "core/nn/gemm.h"
#include "core/util/rng.h"

#include <QtTest>
#include <cstring>
#include <omp.h>
#include <vector>

using namespace attnscope;

namespace {

struct Case {
    bool ta, tb;
    int m, n, k, lda, ldb, ldc;
};

template <typename T> std::vector<T> randomBuffer(std::size_t n, Rng& rng) {
    std::vector<T> v(n);
    for (T& x : v) x = T(rng.normal());
    return v;
}

// Naive reference in long double.
template <typename T>
std::vector<T> reference(const Case& c, T alpha, const std::vector<T>& a, const std::vector<T>& b, T beta,
                         const std::vector<T>& c0) {
    std::vector<T> out = c0;
    for (int i = 0; i < c.m; ++i)
        for (int j = 0; j < c.n; ++j) {
            long double s = 0;
            for (int p = 0; p < c.k; ++p) {
                const T av = c.ta ? a[std::size_t(p) * c.lda + i] : a[std::size_t(i) * c.lda + p];
                const T bv = c.tb ? b[std::size_t(j) * c.ldb + p] : b[std::size_t(p) * c.ldb + j];
                s += (long double)av * bv;
            }
            T& o = out[std::size_t(i) * c.ldc + j];
            o = T(alpha * s + (long double)beta * o);
        }
    return out;
}

Case makeCase(bool ta, bool tb, int m, int n, int k, int pad) {
    const int aCols = ta ? m : k, bCols = tb ? k : n;
    return {ta, tb, m, n, k, aCols + pad, bCols + pad, n + pad};
}

template <typename T> void checkAgainstReference(T tolerance) {
    Rng rng(11);
    for (bool ta : {false, true})
        for (bool tb : {false, true})
            for (int pad : {0, 5})
                for (T beta : {T(0), T(1), T(0.5)}) {
                    const Case c = makeCase(ta, tb, 37, 29, 45, pad);
                    const auto a = randomBuffer<T>(std::size_t(ta ? c.k : c.m) * c.lda, rng);
                    const auto b = randomBuffer<T>(std::size_t(tb ? c.n : c.k) * c.ldb, rng);
                    auto out = randomBuffer<T>(std::size_t(c.m) * c.ldc, rng);
                    const auto expected = reference(c, T(0.75), a, b, beta, out);
                    nn::gemm(c.ta, c.tb, c.m, c.n, c.k, T(0.75), a.data(), c.lda, b.data(), c.ldb, beta,
                             out.data(), c.ldc);
                    for (std::size_t i = 0; i < out.size(); ++i)
                        QVERIFY2(std::abs(out[i] - expected[i]) <= tolerance * (1 + std::abs(expected[i])),
                                 qPrintable(QString("ta=%1 tb=%2 pad=%3 beta=%4 index %5: %6 vs %7")
                                                .arg(ta)
                                                .arg(tb)
                                                .arg(pad)
                                                .arg(double(beta))
                                                .arg(i)
                                                .arg(double(out[i]))
                                                .arg(double(expected[i]))));
                }
}

} // namespace

class TestGemm : public QObject {
    Q_OBJECT
private slots:
    void matchesReferenceFloat() { checkAgainstReference<float>(1e-4f); }
    void matchesReferenceDouble() { checkAgainstReference<double>(1e-12); }

    void zeroInnerDimensionOverwritesOrScales() {
        std::vector<float> out{1, 2, 3, 4};
        nn::gemm<float>(false, false, 2, 2, 0, 1.f, nullptr, 1, nullptr, 2, 0.f, out.data(), 2);
        QCOMPARE(out, (std::vector<float>{0, 0, 0, 0}));
    }

    // Debian's serial OpenBLAS returned wrong results for about 6% of concurrent calls; the backend must not.
    void concurrentCallsAreBitIdenticalToSerialOnes() {
        Rng rng(5);
        const int shapes = 24;
        std::vector<Case> cases;
        std::vector<std::vector<float>> as, bs, expected;
        for (int s = 0; s < shapes; ++s) {
            const Case c = makeCase(s % 2, (s / 2) % 2, 64 + int(rng.below(240)), 64 + int(rng.below(240)),
                                    64 + int(rng.below(240)), 0);
            cases.push_back(c);
            as.push_back(randomBuffer<float>(std::size_t(c.ta ? c.k : c.m) * c.lda, rng));
            bs.push_back(randomBuffer<float>(std::size_t(c.tb ? c.n : c.k) * c.ldb, rng));
            std::vector<float> out(std::size_t(c.m) * c.ldc);
            nn::gemm(c.ta, c.tb, c.m, c.n, c.k, 1.f, as[s].data(), c.lda, bs[s].data(), c.ldb, 0.f,
                     out.data(), c.ldc);
            expected.push_back(out);
        }
        int mismatches = 0;
#pragma omp parallel num_threads(2) reduction(+ : mismatches)
        {
            std::vector<float> out;
            for (int it = 0; it < 4000; ++it) {
                const int s = (it * 7 + omp_get_thread_num() * 5) % shapes;
                const Case& c = cases[s];
                out.assign(std::size_t(c.m) * c.ldc, 0.f);
                nn::gemm(c.ta, c.tb, c.m, c.n, c.k, 1.f, as[s].data(), c.lda, bs[s].data(), c.ldb, 0.f,
                         out.data(), c.ldc);
                if (std::memcmp(out.data(), expected[s].data(), out.size() * sizeof(float))) ++mismatches;
            }
        }
        QCOMPARE(mismatches, 0);
    }
};

QTEST_APPLESS_MAIN(TestGemm)
#include "tst_gemm.moc"
