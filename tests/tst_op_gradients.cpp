// Every core/nn op alone against float64 central differences: loss = Σ w ⊙ out
// with random w (so dout = w), ε = 1e-5, relative error ‖a − n‖ / max(‖a‖, ‖n‖) < 1e-6 per input tensor.
#include "core/nn/attention.h"
#include "core/nn/cross_entropy.h"
#include "core/nn/embedding.h"
#include "core/nn/gelu.h"
#include "core/nn/layernorm.h"
#include "core/nn/linear.h"
#include "core/nn/rope.h"
#include "core/nn/sigma_reparam.h"
#include "core/util/rng.h"

#include <QtTest>
#include <cmath>
#include <functional>
#include <omp.h>

using namespace attnscope;
using namespace attnscope::nn;

namespace {

using Vec = std::vector<double>;
using Ref = MatrixRef<double>;
using CRef = MatrixRef<const double>;

Vec randomVec(Rng& rng, std::size_t n, double scale = 1.0, double shift = 0.0) {
    Vec v(n);
    for (double& x : v) x = shift + scale * rng.normal();
    return v;
}

double maxAbsDiff(const Vec& a, const Vec& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

struct Input {
    const char* name;
    Vec* value;
    bool mayBeZero = false; // the gradient is legitimately zero (e.g. q, k of window-1 heads)
};

// Checks the analytic gradients of loss = Σ w ⊙ forward() returned by backward(w) (one Vec per input, in
// order) against central differences. Returns an empty string on success, else what failed.
QString checkOp(const std::vector<Input>& inputs, const std::function<Vec()>& forward,
                const std::function<std::vector<Vec>(const Vec&)>& backward, std::uint64_t seed) {
    Rng rng(seed);
    const Vec w = randomVec(rng, forward().size());
    auto loss = [&] {
        const Vec out = forward();
        double s = 0;
        for (std::size_t i = 0; i < out.size(); ++i) s += w[i] * out[i];
        return s;
    };
    const std::vector<Vec> analytic = backward(w);
    if (analytic.size() != inputs.size()) return "backward returned the wrong number of gradients";
    const double eps = 1e-5;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        Vec& x = *inputs[k].value;
        if (analytic[k].size() != x.size())
            return QString("%1: gradient has the wrong size").arg(inputs[k].name);
        double diff2 = 0, a2 = 0, n2 = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double saved = x[i];
            x[i] = saved + eps;
            const double lp = loss();
            x[i] = saved - eps;
            const double lm = loss();
            x[i] = saved;
            const double numeric = (lp - lm) / (2 * eps), a = analytic[k][i];
            diff2 += (a - numeric) * (a - numeric), a2 += a * a, n2 += numeric * numeric;
        }
        const double scale = std::sqrt(std::max(a2, n2));
        if (scale < 1e-12) {
            if (!inputs[k].mayBeZero) return QString("%1: gradient is zero").arg(inputs[k].name);
            continue;
        }
        const double rel = std::sqrt(diff2) / scale;
        if (!(rel < 1e-6)) return QString("%1: relative error %2").arg(inputs[k].name).arg(rel);
    }
    return {};
}

#define CHECK_OP(...)                                                                                        \
    do {                                                                                                     \
        const QString failure = checkOp(__VA_ARGS__);                                                        \
        QVERIFY2(failure.isEmpty(), qPrintable(failure));                                                    \
    } while (0)

// Side checks inside the backward lambdas (which return a value, so QVERIFY cannot be used there).
QString sideFailures;
void expect(bool ok, const char* what) {
    if (!ok && !sideFailures.contains(what)) sideFailures += QString(what) + "; ";
}

// Two rows of one boolean column (data functions of the tests with an optional input).
void boolRows(const char* column, const char* off, const char* on) {
    QTest::addColumn<bool>(column);
    QTest::newRow(off) << false;
    QTest::newRow(on) << true;
}

} // namespace

Q_DECLARE_METATYPE(std::vector<attnscope::nn::HeadSpec>)

class TestOpGradients : public QObject {
    Q_OBJECT
private slots:
    // Finite differences run thousands of tiny ops: one thread avoids OpenMP overhead. threadIndependence()
    // covers the parallel paths.
    void initTestCase() { omp_set_num_threads(1); }
    void init() { sideFailures.clear(); }
    void cleanup() { QVERIFY2(sideFailures.isEmpty(), qPrintable(sideFailures)); }
    void linear_data() { boolRows("withBias", "no bias", "bias"); }
    void linear();
    void linearTransposed();
    void linearFusedResidualAndEpilogues();
    void layernorm_data() { boolRows("withBeta", "gain only (QK-norm)", "gain and bias"); }
    void layernorm();
    void gelu();
    void attention_data();
    void attention();
    void embedding_data() { boolRows("withPos", "tokens only", "learned position table"); }
    void embedding();
    void crossEntropy_data();
    void crossEntropy();
    void rope();
    void sigmaReparam();
    void threadIndependence();
};

void TestOpGradients::linear() {
    // W is the column block [3, 6) of a (4, 9) fused weight (ld 9); Y is the column block [2, 5) of a (5, 6)
    // buffer (ld 6). Gradient entries of the fused weight outside the block must stay exactly zero.
    QFETCH(bool, withBias);
    const int rows = 5, in = 4, out = 3, wideW = 9, col0 = 3, wideY = 6, ycol0 = 2;
    Rng rng(1);
    Vec x = randomVec(rng, rows * in), W = randomVec(rng, in * wideW), b = randomVec(rng, out);
    auto wRef = [&] { return CRef{W.data() + col0, in, out, wideW}; };
    auto forward = [&] {
        Vec y(rows * wideY, 0.0);
        linear_forward(Ref{y.data() + ycol0, rows, out, wideY}, CRef{x.data(), rows, in, in}, wRef(),
                       withBias ? b.data() : nullptr);
        return y;
    };
    auto backward = [&](const Vec& dy) {
        Vec dx(rows * in, 7.0), dW(W.size(), 0.0), db(out, 0.0);
        Ref dxr{dx.data(), rows, in, in}, dwr{dW.data() + col0, in, out, wideW};
        const CRef dyr{dy.data() + ycol0, rows, out, wideY};
        linear_backward(&dxr, &dwr, withBias ? db.data() : nullptr, dyr, CRef{x.data(), rows, in, in}, wRef(),
                        false);
        // accumulateDx adds to what is there; null outputs are skipped.
        Vec acc(rows * in, 0.5);
        Ref accr{acc.data(), rows, in, in};
        linear_backward<double>(&accr, nullptr, nullptr, dyr, CRef{x.data(), rows, in, in}, wRef(), true);
        for (std::size_t i = 0; i < acc.size(); ++i)
            expect(std::abs(acc[i] - (0.5 + dx[i])) < 1e-14, "accumulateDx adds dY Wt");
        std::vector<Vec> grads{dx, dW};
        if (withBias) grads.push_back(db);
        return grads;
    };
    std::vector<Input> inputs{{"x", &x}, {"W", &W}};
    if (withBias) inputs.push_back({"b", &b});
    CHECK_OP(inputs, forward, backward, 11);
}

// The fused forms the model uses (linear.h): bias and residual initialise Y and the GEMM adds onto them, and
// the row epilogues see every row exactly once, after that row is final. 1 100 rows: three 512-row blocks.
void TestOpGradients::linearFusedResidualAndEpilogues() {
    const int rows = 1100, in = 3, out = 4;
    Rng rng(3);
    Vec x = randomVec(rng, rows * in), W = randomVec(rng, in * out), b = randomVec(rng, out);
    Vec r = randomVec(rng, rows * out), plain(rows * out), fused(rows * out), seen(rows * out, 0.0);
    const CRef xr{x.data(), rows, in, in}, wr{W.data(), in, out, out};
    linear_forward(Ref{plain.data(), rows, out, out}, xr, wr, b.data());
    std::vector<int> visits(rows, 0);
    linear_forward(Ref{fused.data(), rows, out, out}, xr, wr, b.data(), r.data(),
                   [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
                       for (std::ptrdiff_t i = r0; i < r1; ++i) {
                           ++visits[std::size_t(i)];
                           for (int c = 0; c < out; ++c)
                               seen[std::size_t(i * out + c)] = fused[std::size_t(i * out + c)];
                       }
                   });
    for (std::size_t i = 0; i < plain.size(); ++i) QVERIFY(std::abs(fused[i] - (plain[i] + r[i])) < 1e-13);
    QCOMPARE(seen, fused); // the epilogue saw each row in its final state
    for (int v : visits) QCOMPARE(v, 1);
    // dX's epilogue likewise runs once per row, on the finished dX.
    Vec dx(rows * in), dxSeen(rows * in, 0.0);
    Ref dxr{dx.data(), rows, in, in};
    std::fill(visits.begin(), visits.end(), 0);
    linear_backward<double>(&dxr, nullptr, nullptr, CRef{r.data(), rows, out, out}, xr, wr, false,
                            [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
                                for (std::ptrdiff_t i = r0; i < r1; ++i) {
                                    ++visits[std::size_t(i)];
                                    for (int c = 0; c < in; ++c)
                                        dxSeen[std::size_t(i * in + c)] = dx[std::size_t(i * in + c)];
                                }
                            });
    QCOMPARE(dxSeen, dx);
    for (int v : visits) QCOMPARE(v, 1);
}

void TestOpGradients::linearTransposed() {
    // Y = X Wtᵀ with Wt (out, in) stored with ld = in + 2 (tied LM head: Wt is the embedding table).
    const int rows = 5, in = 4, out = 6, ld = in + 2;
    Rng rng(2);
    Vec x = randomVec(rng, rows * in), Wt = randomVec(rng, out * ld);
    auto forward = [&] {
        Vec y(rows * out);
        linear_forward_transposed(Ref{y.data(), rows, out, out}, CRef{x.data(), rows, in, in},
                                  CRef{Wt.data(), out, in, ld});
        return y;
    };
    auto backward = [&](const Vec& dy) {
        Vec dx(rows * in, 3.0), dWt(Wt.size(), 0.0);
        Ref dxr{dx.data(), rows, in, in}, dwr{dWt.data(), out, in, ld};
        linear_backward_transposed(&dxr, &dwr, CRef{dy.data(), rows, out, out}, CRef{x.data(), rows, in, in},
                                   CRef{Wt.data(), out, in, ld});
        return std::vector<Vec>{dx, dWt};
    };
    CHECK_OP({{"x", &x}, {"Wt", &Wt}}, forward, backward, 12);
}

void TestOpGradients::layernorm() {
    QFETCH(bool, withBeta);
    const int rows = 4, C = 6;
    Rng rng(3);
    Vec x = randomVec(rng, rows * C, 1.5, 0.3), g = randomVec(rng, C, 0.3, 1.0), beta = randomVec(rng, C);
    Vec mean(rows), rstd(rows);
    auto forward = [&] {
        Vec y(rows * C);
        layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), g.data(),
                          withBeta ? beta.data() : nullptr, rows, C, 1e-5);
        return y;
    };
    auto backward = [&](const Vec& dy) {
        forward();
        Vec dx(rows * C, 0.0), dg(C, 0.0), db(C, 0.0);
        layernorm_backward(dx.data(), dg.data(), withBeta ? db.data() : nullptr, dy.data(), x.data(),
                           g.data(), mean.data(), rstd.data(), rows, C, false);
        Vec acc(rows * C, -2.0), dg2(C, 0.0);
        layernorm_backward(acc.data(), dg2.data(), static_cast<double*>(nullptr), dy.data(), x.data(),
                           g.data(), mean.data(), rstd.data(), rows, C, true);
        for (std::size_t i = 0; i < acc.size(); ++i)
            expect(std::abs(acc[i] - (-2.0 + dx[i])) < 1e-14, "accumulateDx adds dx");
        std::vector<Vec> grads{dx, dg};
        if (withBeta) grads.push_back(db);
        return grads;
    };
    std::vector<Input> inputs{{"x", &x}, {"gamma", &g}};
    if (withBeta) inputs.push_back({"beta", &beta});
    CHECK_OP(inputs, forward, backward, 13);
}

void TestOpGradients::gelu() {
    Rng rng(4);
    Vec u = randomVec(rng, 48, 2.0);
    for (int i = 0; i < 9; ++i) u[i] = -4.0 + i; // tails and the origin
    auto forward = [&] {
        Vec y(u.size());
        gelu_forward(y.data(), u.data(), long(u.size()));
        return y;
    };
    auto backward = [&](const Vec& dy) {
        Vec du(u.size()), inPlace = dy;
        gelu_backward(du.data(), dy.data(), u.data(), long(u.size()));
        gelu_backward(inPlace.data(), inPlace.data(), u.data(), long(u.size())); // the model runs it in place
        expect(maxAbsDiff(du, inPlace) == 0.0, "in-place GELU backward");
        return std::vector<Vec>{du};
    };
    CHECK_OP({{"u", &u}}, forward, backward, 14);
}

void TestOpGradients::attention_data() {
    QTest::addColumn<std::vector<HeadSpec>>("heads");
    QTest::addColumn<int>("T");
    QTest::newRow("global causal") << std::vector<HeadSpec>{{0, 0}, {0, 0}, {0, 0}} << 7;
    QTest::newRow("local w=1,2,3") << std::vector<HeadSpec>{{1, 0}, {2, 0}, {3, 0}} << 7;
    QTest::newRow("local w=T, w>T, global") << std::vector<HeadSpec>{{7, 0}, {10, 0}, {0, 0}} << 7;
    QTest::newRow("alibi global") << std::vector<HeadSpec>{{0, 0.5}, {0, 0.25}, {0, 1.0 / 16}} << 7;
    QTest::newRow("alibi local") << std::vector<HeadSpec>{{2, 0.5}, {3, 0.25}, {9, 1.0}} << 7;
    QTest::newRow("mixed") << std::vector<HeadSpec>{{2, 0}, {0, 0.25}, {5, 0.5}} << 7;
    QTest::newRow("window 1 everywhere") << std::vector<HeadSpec>{{1, 0}, {1, 0.5}, {1, 0}} << 7;
    // Global heads compute in 32-query causal blocks: 70 positions give two full blocks and a partial one.
    QTest::newRow("T=70: global, alibi global, local")
        << std::vector<HeadSpec>{{0, 0}, {0, 0.125}, {40, 0}} << 70;
    // ReLU attention relu(S)/n_i, alone and with windows and ALiBi.
    QTest::newRow("relu global") << std::vector<HeadSpec>{{0, 0, true}, {0, 0, true}, {0, 0, true}} << 7;
    QTest::newRow("relu local + alibi")
        << std::vector<HeadSpec>{{2, 0, true}, {3, 0.25, true}, {0, 0.5, true}} << 7;
    QTest::newRow("T=70: relu global, relu alibi, relu local")
        << std::vector<HeadSpec>{{0, 0, true}, {0, 0.125, true}, {40, 0, true}} << 70;
}

void TestOpGradients::attention() {
    QFETCH(std::vector<HeadSpec>, heads);
    QFETCH(int, T);
    const AttentionShape shape{2, T, 3, 4};
    const AttentionLayout layout(shape, heads);
    const std::size_t n = std::size_t(shape.B) * shape.T * shape.C();
    Rng rng(5);
    Vec q = randomVec(rng, n), k = randomVec(rng, n), v = randomVec(rng, n);
    Vec out(n), probs(layout.size());
    auto forward = [&] {
        attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), layout);
        return out;
    };
    bool allWindowOne = true;
    for (const HeadSpec& h : heads) allWindowOne = allWindowOne && h.window == 1;
    auto backward = [&](const Vec& dout) {
        forward();
        Vec dq(n, 9.0), dk(n, 9.0), dv(n, 9.0); // overwritten, not accumulated
        attention_backward(dq.data(), dk.data(), dv.data(), dout.data(), out.data(), probs.data(), q.data(),
                           k.data(), v.data(), layout);
        // A window-1 head attends only to itself: output = v, and q, k get exactly no gradient.
        for (std::size_t i = 0; i < n; ++i)
            if (heads[(i / shape.D) % shape.H].window == 1)
                expect(out[i] == v[i] && dq[i] == 0.0 && dk[i] == 0.0, "window-1 head");
        return std::vector<Vec>{dq, dk, dv};
    };
    CHECK_OP({{"q", &q, allWindowOne}, {"k", &k, allWindowOne}, {"v", &v}}, forward, backward, 15);

    // A local head with w ≥ T is exactly a global head (rows, masks and sums: tst_mechanisms).
    forward();
    std::vector<HeadSpec> global = heads;
    bool anyWide = false;
    for (HeadSpec& h : global)
        if (h.window >= shape.T) h.window = 0, anyWide = true;
    if (anyWide) {
        Vec out2(n), probs2(AttentionLayout(shape, global).size());
        attention_forward(out2.data(), probs2.data(), q.data(), k.data(), v.data(),
                          AttentionLayout(shape, global));
        QVERIFY(maxAbsDiff(out, out2) < 1e-14);
    }
}

void TestOpGradients::embedding() {
    QFETCH(bool, withPos);
    const int B = 2, T = 5, C = 3, V = 5;
    const std::vector<std::int32_t> tokens{1, 3, 1, 1, 0, 3, 3, 2, 1, 0}; // repeats exercise the scatter-add
    Rng rng(6);
    Vec table = randomVec(rng, V * C), pos = randomVec(rng, T * C);
    auto forward = [&] {
        Vec x(B * T * C);
        embedding_forward(x.data(), tokens.data(), table.data(), withPos ? pos.data() : nullptr, B, T, C);
        return x;
    };
    auto backward = [&](const Vec& dx) {
        Vec dtable(table.size(), 0.0), dpos(pos.size(), 0.0);
        embedding_backward(dtable.data(), withPos ? dpos.data() : nullptr, dx.data(), tokens.data(), B, T, C);
        for (int c = 0; c < C; ++c) expect(dtable[4 * C + c] == 0.0, "unused row"); // token 4 never occurs
        std::vector<Vec> grads{dtable};
        if (withPos) grads.push_back(dpos);
        return grads;
    };
    std::vector<Input> inputs{{"table", &table}};
    if (withPos) inputs.push_back({"pos", &pos});
    CHECK_OP(inputs, forward, backward, 16);
}

void TestOpGradients::crossEntropy_data() {
    QTest::addColumn<double>("zLoss");
    QTest::newRow("plain") << 0.0;
    QTest::newRow("z-loss") << 0.1;
}

void TestOpGradients::crossEntropy() {
    QFETCH(double, zLoss);
    const int rows = 6, V = 5;
    const std::vector<std::int32_t> targets{2, -1, 0, 4, -1, 1};
    Rng rng(7);
    Vec logits = randomVec(rng, rows * V, 2.0, 0.5), logZ(rows);
    CrossEntropyResult last;
    auto forward = [&] {
        last = cross_entropy_forward(logZ.data(), logits.data(), targets.data(), rows, V, zLoss);
        return Vec{last.loss + last.zLoss};
    };
    // Reference value: mean over scored rows of log Σ exp − logit[target] and c·(log Z)².
    forward();
    double ce = 0, zz = 0;
    for (int r = 0; r < rows; ++r) {
        if (targets[r] < 0) continue;
        double s = 0;
        for (int j = 0; j < V; ++j) s += std::exp(logits[r * V + j]);
        ce += std::log(s) - logits[r * V + targets[r]], zz += zLoss * std::log(s) * std::log(s);
    }
    QCOMPARE(last.scored, 4L);
    QVERIFY(std::abs(last.loss - ce / 4) < 1e-13 && std::abs(last.zLoss - zz / 4) < 1e-13);
    auto backward = [&](const Vec& dout) {
        forward();
        Vec d(rows * V, 5.0);
        cross_entropy_backward(d.data(), logits.data(), logZ.data(), targets.data(), rows, V, last.scored,
                               zLoss);
        for (double& x : d) x *= dout[0];
        for (int j = 0; j < V; ++j) expect(d[1 * V + j] == 0.0 && d[4 * V + j] == 0.0, "ignored row");
        return std::vector<Vec>{d};
    };
    CHECK_OP({{"logits", &logits}}, forward, backward, 17);
}

void TestOpGradients::rope() {
    const int B = 2, T = 7, H = 2, D = 6, C = H * D;
    Vec cosT(T * D / 2), sinT(T * D / 2);
    rope_tables(cosT.data(), sinT.data(), T, D, 100.0);
    Rng rng(8);
    Vec x = randomVec(rng, B * T * C);
    // Backward (direction −1) inverts forward: R(−pθ) R(pθ) = I, and each pair keeps its norm.
    Vec y(x.size()), back(x.size());
    rope_apply(y.data(), x.data(), cosT.data(), sinT.data(), B, T, H, D, +1);
    rope_apply(back.data(), y.data(), cosT.data(), sinT.data(), B, T, H, D, -1);
    QVERIFY(maxAbsDiff(back, x) < 1e-14);
    QVERIFY(maxAbsDiff(y, x) > 0.1);
    for (std::size_t i = 0; i < x.size(); i += 2)
        QVERIFY(std::abs(std::hypot(y[i], y[i + 1]) - std::hypot(x[i], x[i + 1])) < 1e-14);
    auto forward = [&] {
        Vec out(x.size());
        rope_apply(out.data(), x.data(), cosT.data(), sinT.data(), B, T, H, D, +1);
        return out;
    };
    auto backward = [&](const Vec& dy) {
        Vec dx(x.size());
        rope_apply(dx.data(), dy.data(), cosT.data(), sinT.data(), B, T, H, D, -1);
        return std::vector<Vec>{dx};
    };
    CHECK_OP({{"x", &x}}, forward, backward, 18);
}

void TestOpGradients::sigmaReparam() {
    // L = Σ w ⊙ (γ/σ W) with σ = aᵀWb and a, b frozen; W is the column block [2, 6) of a (5, 8) tensor.
    const int in = 5, out = 4, wide = 8, col0 = 2;
    Rng rng(9);
    Vec W = randomVec(rng, in * wide), gamma{1.7}, a(in), b(out);
    auto wRef = [&] { return CRef{W.data() + col0, in, out, wide}; };
    sigma_init_svd(wRef(), a.data(), b.data());
    for (double& x : W) x += 0.3 * rng.normal(); // a, b are no longer exact singular vectors
    auto forward = [&] {
        const double sigma = sigma_estimate(wRef(), a.data(), b.data());
        Vec what(in * out);
        sigma_effective(Ref{what.data(), in, out, out}, wRef(), gamma[0], sigma);
        return what;
    };
    auto backward = [&](const Vec& dwhat) {
        const double sigma = sigma_estimate(wRef(), a.data(), b.data());
        Vec dW(W.size(), 0.0);
        for (int r = 0; r < in; ++r)
            for (int c = 0; c < out; ++c) dW[r * wide + col0 + c] = dwhat[r * out + c];
        const double dgamma =
            sigma_backward(Ref{dW.data() + col0, in, out, wide}, wRef(), a.data(), b.data(), gamma[0], sigma);
        return std::vector<Vec>{dW, Vec{dgamma}};
    };
    CHECK_OP({{"W", &W}, {"gamma", &gamma}}, forward, backward, 19);
}

void TestOpGradients::threadIndependence() {
    // Attention, linear and LayerNorm forward/backward give the same bits on 1 and 2 threads (fixed blocks,
    // core/nn/parallel.h). Sizes make every op split: 1024 rows = 2 GEMM row blocks and 16 LayerNorm blocks,
    // 128 columns = 2 GEMM column blocks.
    Rng rng(10);
    const AttentionShape shape{2, 40, 3, 8}; // 40 positions: two causal blocks of global heads
    const AttentionLayout layout(shape, {{3, 0.25}, {0, 0.5}, {20, 0}});
    const std::size_t n = std::size_t(shape.B) * shape.T * shape.C();
    const Vec q = randomVec(rng, n), k = randomVec(rng, n), v = randomVec(rng, n), dout = randomVec(rng, n);
    const int rows = 1024, in = 48, out = 128;
    const Vec x = randomVec(rng, rows * in), W = randomVec(rng, in * out), bias = randomVec(rng, out),
              dy = randomVec(rng, rows * out), g = randomVec(rng, in, 0.3, 1.0), beta = randomVec(rng, in);
    // The same buffers for both runs: Eigen's vectorised reductions (softmax) split head/body/tail by the
    // address alignment, which the model's Workspace fixes at 64 bytes but fresh std::vectors would not.
    Vec o(n), p(layout.size()), dq(n), dk(n), dv(n), y(rows * out), dx(rows * in), dW(in * out), db(out),
        dxT(rows * out), dWT(out * in), ln(rows * in), mean(rows), rstd(rows), dln(rows * in), dg(in),
        dbeta(in);
    auto run = [&](int threads) {
        for (Vec* zeroed : {&dW, &db, &dWT, &dg, &dbeta}) std::fill(zeroed->begin(), zeroed->end(), 0.0);
        omp_set_num_threads(threads);
        attention_forward(o.data(), p.data(), q.data(), k.data(), v.data(), layout);
        attention_backward(dq.data(), dk.data(), dv.data(), dout.data(), o.data(), p.data(), q.data(),
                           k.data(), v.data(), layout);
        linear_forward(Ref{y.data(), rows, out, out}, CRef{x.data(), rows, in, in},
                       CRef{W.data(), in, out, out}, bias.data());
        Ref dxr{dx.data(), rows, in, in}, dwr{dW.data(), in, out, out};
        linear_backward(&dxr, &dwr, db.data(), CRef{dy.data(), rows, out, out}, CRef{x.data(), rows, in, in},
                        CRef{W.data(), in, out, out}, false);
        // The same layer the other way round (in > out): dW is then split along its rows instead.
        Ref dxTr{dxT.data(), rows, out, out}, dwTr{dWT.data(), out, in, in};
        linear_backward(&dxTr, &dwTr, static_cast<double*>(nullptr), CRef{x.data(), rows, in, in},
                        CRef{dy.data(), rows, out, out}, CRef{W.data(), out, in, in}, false);
        layernorm_forward(ln.data(), mean.data(), rstd.data(), x.data(), g.data(), beta.data(), rows, in,
                          1e-5);
        layernorm_backward(dln.data(), dg.data(), dbeta.data(), /*dy*/ x.data(), x.data(), g.data(),
                           mean.data(), rstd.data(), rows, in, false);
        omp_set_num_threads(1);
        return std::vector<Vec>{o, p, dq, dk, dv, y, dx, dW, db, ln, dln, dg, dbeta, dxT, dWT};
    };
    const std::vector<Vec> one = run(1), two = run(2);
    const char* names[] = {"attn out", "probs", "dq",  "dk", "dv",    "y",   "dx", "dW",
                           "db",       "ln",    "dln", "dg", "dbeta", "dxT", "dWT"};
    for (std::size_t i = 0; i < one.size(); ++i) QVERIFY2(one[i] == two[i], names[i]); // the same bits
}

QTEST_GUILESS_MAIN(TestOpGradients)
#include "tst_op_gradients.moc"
