// The two compiled copies of the engine's hot loops (core/nn/kernels.h): the baseline copy is what a CPU
// without AVX2 runs, so it must compute the same functions as the AVX2 copy this machine normally runs — to
// rounding (the copies may differ in low bits: lane order of reductions, FMA) — and each copy must give the
// same bits every time it is called on the same data.
#include "core/nn/kernels.h"
#include "core/util/rng.h"

#include <QtTest>
#include <cmath>
#include <vector>

using namespace attnscope;
using namespace attnscope::nn;

namespace {

std::vector<float> randomVector(std::size_t n, Rng& rng, double scale = 1.0) {
    std::vector<float> v(n);
    for (float& x : v) x = float(scale * rng.normal());
    return v;
}

// Largest |a − b| / max(1, |a|, |b|).
double maxRelativeDifference(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double scale = std::max({1.0, std::fabs(double(a[i])), std::fabs(double(b[i]))});
        worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])) / scale);
    }
    return worst;
}

// Runs fn(kernels, outputs) with each path's kernels and compares the outputs.
template <typename Fn> void comparePaths(const char* what, Fn&& fn, double tolerance) {
    std::vector<std::vector<float>> base, again, avx2;
    fn(kernelsFor<float>(KernelPath::Baseline), base);
    fn(kernelsFor<float>(KernelPath::Baseline), again);
    QVERIFY2(base == again, what); // the same bits on every call
    if (!kernelPathAvailable(KernelPath::Avx2)) return;
    fn(kernelsFor<float>(KernelPath::Avx2), avx2);
    QCOMPARE(avx2.size(), base.size());
    for (std::size_t i = 0; i < base.size(); ++i) {
        const double diff = maxRelativeDifference(base[i], avx2[i]);
        if (diff > tolerance)
            QFAIL(qPrintable(QStringLiteral("%1: output %2 differs by %3 between the paths")
                                 .arg(QString::fromLatin1(what))
                                 .arg(i)
                                 .arg(diff)));
    }
}

} // namespace

class TestKernels : public QObject {
    Q_OBJECT
private slots:
    void activePathMatchesTheCpu() {
        const KernelPath active = activeKernelPath();
        qInfo("active kernel path: %s", kernelPathName(active));
        if (qEnvironmentVariable("ATTNSCOPE_KERNELS") == QStringLiteral("baseline"))
            QCOMPARE(active, KernelPath::Baseline);
        else
            QCOMPARE(active, kernelPathAvailable(KernelPath::Avx2) ? KernelPath::Avx2 : KernelPath::Baseline);
        QCOMPARE(&kernels<float>(), &kernelsFor<float>(active));
    }

    void geluAgrees() {
        Rng rng(1);
        const auto u = randomVector(4099, rng, 3.0), dy = randomVector(4099, rng);
        comparePaths(
            "gelu",
            [&](const Kernels<float>& k, std::vector<std::vector<float>>& out) {
                std::vector<float> y(u.size()), du(u.size());
                k.geluForward(y.data(), u.data(), long(u.size()));
                k.geluBackward(du.data(), dy.data(), u.data(), long(u.size()));
                out = {y, du};
            },
            1e-5);
    }

    void layerNormAgrees() {
        Rng rng(2);
        const int rows = 37, C = 131;
        const auto x = randomVector(std::size_t(rows) * C, rng, 2.0), dy = randomVector(x.size(), rng);
        const auto gamma = randomVector(C, rng), beta = randomVector(C, rng);
        comparePaths(
            "layernorm",
            [&](const Kernels<float>& k, std::vector<std::vector<float>>& out) {
                std::vector<float> y(x.size()), mean(rows), rstd(rows), dx(x.size()), pg(C), pb(C);
                k.layerNormForward(y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(), 0,
                                   rows, C, 1e-5f);
                k.layerNormBackward(dx.data(), pg.data(), pb.data(), dy.data(), x.data(), gamma.data(),
                                    mean.data(), rstd.data(), 0, rows, C, false);
                out = {y, mean, rstd, dx, pg, pb};
            },
            1e-5);
    }

    void attentionRowsAgree() {
        Rng rng(3);
        const int n = 203;
        const auto scores = randomVector(n, rng, 4.0), dA = randomVector(n, rng);
        comparePaths(
            "attention rows",
            [&](const Kernels<float>& k, std::vector<std::vector<float>>& out) {
                std::vector<float> soft = scores, relu = scores, dS = dA, dR = dA;
                k.softmaxRow(soft.data(), n);
                k.reluRow(relu.data(), n);
                const float delta = k.dot(soft.data(), dA.data(), n);
                k.scoreGradRow(dS.data(), soft.data(), n, delta, 0.125f, false);
                k.scoreGradRow(dR.data(), relu.data(), n, 0.0f, 0.125f, true);
                out = {soft, relu, {delta}, dS, dR};
            },
            1e-5);
    }

    void adamwAgrees() {
        Rng rng(4);
        const std::size_t n = 8195;
        const auto p0 = randomVector(n, rng), g = randomVector(n, rng), m0 = randomVector(n, rng, 0.1);
        auto v0 = randomVector(n, rng, 0.1);
        for (float& x : v0) x = x * x;
        const AdamWCoefficients<float> c{0.9f, 0.95f, 0.1f, 0.05f, 1e-3f, 1e-8f, 1e-4f};
        comparePaths(
            "adamw",
            [&](const Kernels<float>& k, std::vector<std::vector<float>>& out) {
                std::vector<float> p = p0, m = m0, v = v0, p2 = p0, m2 = m0, v2 = v0;
                const double du2 =
                    k.adamw(p.data(), g.data(), m.data(), v.data(), std::ptrdiff_t(n), c, true);
                k.adamw(p2.data(), g.data(), m2.data(), v2.data(), std::ptrdiff_t(n), c, false);
                QVERIFY(p == p2 && m == m2 && v == v2); // measuring ‖Δθ‖² changes nothing
                out = {p, m, v, {float(du2)}};
            },
            1e-5);
    }
};

QTEST_APPLESS_MAIN(TestKernels)
#include "tst_kernels.moc"
