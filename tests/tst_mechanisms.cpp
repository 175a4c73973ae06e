// The defining property of each mechanism, checked on real model forwards/backwards:
// LS-attention windows, ALiBi slopes and bias, SVFormer/ResFormer value paths, the QK-norm logit bound,
// RoPE's relative-position property and the learned-PE length limit. σReparam: tst_sigma_reparam.cpp.
#include "core/model/model.h"
#include "core/util/error.h"
#include "helpers/model_fixtures.h"

#include <QtTest>
#include <cmath>
#include <omp.h>

using namespace attnscope;
using namespace attnscope::test;

namespace {

// Paper rule (Press et al. §3, fairseq get_slopes), written independently of core: n a power of two gives
// m_h = 2^(−8h/n); otherwise the slopes of p = largest power of two ≤ n, then slopes(2p)[0, 2, 4, …] up to n.
std::vector<double> referenceSlopes(int n) {
    int p = 1;
    while (2 * p <= n) p *= 2;
    std::vector<double> s;
    for (int h = 1; h <= p; ++h) s.push_back(std::exp2(-8.0 * h / p)); // slopes(p)
    for (int i = 0; int(s.size()) < n; i += 2)
        s.push_back(std::exp2(-8.0 * (i + 1) / (2 * p))); // slopes(2p)[i]
    return s;
}

// q_i·k_j/√D for head h, rows i and j of (B·T, C) buffers.
double logit(const double* q, const double* k, std::size_t i, std::size_t j, int C, int D, int h) {
    double s = 0;
    for (int d = 0; d < D; ++d) s += q[i * C + h * D + d] * k[j * C + h * D + d];
    return s / std::sqrt(double(D));
}

// Dense (T×T) probabilities and output of head h, sequence b, computed from scratch from the buffers
// attention consumed: S_ij = q_i·k_j/√D − m(i − j) for j ≤ i with i − j < window (window 0: all j ≤ i).
void referenceHead(const double* q, const double* k, const double* v, int T, int C, int D, int b, int h,
                   int window, double slope, std::vector<double>& A, std::vector<double>& O) {
    A.assign(std::size_t(T) * T, 0.0), O.assign(std::size_t(T) * D, 0.0);
    auto at = [&](const double* x, int t, int d) { return x[(std::size_t(b) * T + t) * C + h * D + d]; };
    for (int i = 0; i < T; ++i) {
        const int j0 = window > 0 ? std::max(0, i - window + 1) : 0;
        double m = -1e300, sum = 0;
        for (int j = j0; j <= i; ++j) {
            A[i * T + j] =
                logit(q, k, std::size_t(b) * T + i, std::size_t(b) * T + j, C, D, h) - slope * (i - j);
            m = std::max(m, A[i * T + j]);
        }
        for (int j = j0; j <= i; ++j) sum += (A[i * T + j] = std::exp(A[i * T + j] - m));
        for (int j = j0; j <= i; ++j) {
            A[i * T + j] /= sum;
            for (int d = 0; d < D; ++d) O[i * D + d] += A[i * T + j] * at(v, j, d);
        }
    }
}

// Max |probabilities − reference| and |output − reference| over every layer, sequence and head, with the
// values from `values` if given (SVFormer: V_1), else from the layer's own vAtt.
double attentionMismatch(Run<double>& r, const std::vector<double>& slopes, const double* values = nullptr) {
    const ModelConfig& c = r.model.config();
    const int T = r.ws.Tlen, C = c.dModel, D = c.headDim();
    std::vector<double> A, O, dense(std::size_t(T) * T);
    double worst = 0;
    for (int l = 0; l < c.layers; ++l) {
        const auto& L = r.ws.layers[l];
        for (int b = 0; b < r.ws.B; ++b)
            for (int h = 0; h < c.heads; ++h) {
                const int window = c.isLocalHead(h) ? c.window : 0;
                referenceHead(L.qr, L.kr, values ? values : L.vAtt, T, C, D, b, h, window, slopes[h], A, O);
                nn::attention_dense(dense.data(), L.probs, r.ws.attention, b, h);
                for (std::size_t i = 0; i < A.size(); ++i) worst = std::max(worst, std::abs(A[i] - dense[i]));
                for (int t = 0; t < T; ++t)
                    for (int d = 0; d < D; ++d)
                        worst = std::max(worst, std::abs(O[t * D + d] -
                                                         L.attOut[(std::size_t(b) * T + t) * C + h * D + d]));
            }
    }
    return worst;
}

} // namespace

class TestMechanisms : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { omp_set_num_threads(1); }
    void localHeadsSeeOnlyTheirWindow();
    void alibiSlopesFollowThePaper();
    void alibiBiasInModelForward();
    void svformerSharesFirstLayerValues();
    void resformerMixesValues();
    void qkNormBoundsLogits();
    void ropeLogitsDependOnRelativePosition();
    void learnedPositionsRefuseLongerSequences();
};

template <typename T> void checkWindowZeros(const ModelConfig& c, std::uint64_t seed) {
    Run<T> r(c, seed);
    const int Tn = r.ws.Tlen;
    std::vector<T> A(std::size_t(Tn) * Tn);
    for (int l = 0; l < c.layers; ++l)
        for (int b = 0; b < r.ws.B; ++b)
            for (int h = 0; h < c.heads; ++h) {
                QCOMPARE(r.ws.attention.heads()[h].window, c.isLocalHead(h) ? c.window : 0);
                nn::attention_dense(A.data(), r.ws.layers[l].probs, r.ws.attention, b, h);
                for (int i = 0; i < Tn; ++i) {
                    T sum = 0;
                    for (int j = 0; j < Tn; ++j) {
                        const bool visible = j <= i && (!c.isLocalHead(h) || i - j < c.window);
                        const T a = A[std::size_t(i) * Tn + j];
                        QVERIFY2(visible ? a > 0 : a == T(0),
                                 qPrintable(QString::asprintf("l%d b%d h%d i%d j%d A=%g", l, b, h, i, j,
                                                              double(a))));
                        sum += a;
                    }
                    QVERIFY(std::abs(double(sum) - 1) < (sizeof(T) == 8 ? 1e-12 : 1e-5));
                }
            }
}

void TestMechanisms::localHeadsSeeOnlyTheirWindow() {
    // Exactly zero weight outside the window (in float as in double), every visible key > 0, rows sum to 1,
    // global heads see every previous key; and the probabilities and outputs match a from-scratch windowed
    // softmax of the q, k, v the layer produced.
    ModelConfig c = small();
    c.lsAttention = true, c.globalHeads = 1, c.window = 3, c.position = PositionScheme::Sinusoidal;
    checkWindowZeros<double>(c, 1);
    if (QTest::currentTestFailed()) return;
    checkWindowZeros<float>(c, 1);
    if (QTest::currentTestFailed()) return;
    Run<double> r(c, 2);
    QVERIFY(attentionMismatch(r, std::vector<double>(c.heads, 0.0)) < 1e-12);
}

void TestMechanisms::alibiSlopesFollowThePaper() {
    for (int n = 1; n <= 16; ++n) {
        const auto got = alibiSlopes(n), want = referenceSlopes(n);
        QCOMPARE(int(got.size()), n);
        for (int h = 0; h < n; ++h)
            QVERIFY2(std::abs(got[h] / want[h] - 1) < 1e-14, qPrintable(QString("n=%1 h=%2").arg(n).arg(h)));
    }
    // The literal table of Press et al. (ALiBi slopes).
    const std::vector<std::pair<int, std::vector<double>>> table{
        {1, {1.0 / 256}},
        {2, {1.0 / 16, 1.0 / 256}},
        {3, {1.0 / 16, 1.0 / 256, 1.0 / 4}},
        {4, {1.0 / 4, 1.0 / 16, 1.0 / 64, 1.0 / 256}},
        {6, {1.0 / 4, 1.0 / 16, 1.0 / 64, 1.0 / 256, 1.0 / 2, 1.0 / 8}},
        {8, {1.0 / 2, 1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256}},
        {12,
         {0.5, 0.25, 0.125, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256, std::exp2(-0.5),
          std::exp2(-1.5), std::exp2(-2.5), std::exp2(-3.5)}},
    };
    for (const auto& [n, want] : table) {
        const auto got = alibiSlopes(n);
        QCOMPARE(got.size(), want.size());
        for (std::size_t h = 0; h < want.size(); ++h) QVERIFY(std::abs(got[h] / want[h] - 1) < 1e-14);
    }
    // A model uses them per head only with ALiBi.
    ModelConfig c = small();
    c.heads = 6, c.dModel = 12;
    for (PositionScheme p : {PositionScheme::Alibi, PositionScheme::Rope}) {
        c.position = p;
        const Workspace<float> ws(c, 1, c.context);
        for (int h = 0; h < c.heads; ++h)
            QCOMPARE(ws.attention.heads()[h].slope, p == PositionScheme::Alibi ? table[4].second[h] : 0.0);
    }
}

void TestMechanisms::alibiBiasInModelForward() {
    // Mixed local/global heads with 6 heads (slopes 1/4 … 1/256, 1/2, 1/8).
    ModelConfig c = small();
    c.position = PositionScheme::Alibi, c.heads = 6, c.dModel = 12, c.lsAttention = true, c.globalHeads = 3,
    c.window = 3;
    const std::vector<double> slopes = referenceSlopes(c.heads);
    // With random weights the scores are q·k/√D − m(i − j) ...
    Run<double> r(c, 3);
    QVERIFY(attentionMismatch(r, slopes) < 1e-12);
    // ... and with zero q, k weights and biases the attention is the softmax of the bias alone:
    // A_ij = exp(−m(i − j)) / Σ_{visible j'} exp(−m(i − j')).
    for (const LayerParams& lp : r.model.layout().layers) {
        blockOf(r.model, r.model.params.data(), lp.qkvW, 0, 2 * c.dModel).setZero();
        blockOf(r.model, r.model.params.data(), lp.qkvB, 0, 2 * c.dModel).setZero();
    }
    Rng rng(4);
    r.forward(rng);
    const int T = r.ws.Tlen;
    std::vector<double> A(std::size_t(T) * T);
    for (int l = 0; l < c.layers; ++l)
        for (int h = 0; h < c.heads; ++h) {
            nn::attention_dense(A.data(), r.ws.layers[l].probs, r.ws.attention, 1, h);
            for (int i = 0; i < T; ++i) {
                const int j0 = c.isLocalHead(h) ? std::max(0, i - c.window + 1) : 0;
                double z = 0;
                for (int j = j0; j <= i; ++j) z += std::exp(-slopes[h] * (i - j));
                for (int j = j0; j <= i; ++j)
                    QVERIFY(std::abs(A[i * T + j] - std::exp(-slopes[h] * (i - j)) / z) < 1e-14);
            }
        }
}

void TestMechanisms::svformerSharesFirstLayerValues() {
    ModelConfig c = small();
    c.valueResidual = ValueResidual::SVFormer, c.layers = 3;
    const ParamLayout layout(c);
    for (int l = 0; l < c.layers; ++l) {
        const int cols = l == 0 ? 3 * c.dModel : 2 * c.dModel; // no W_V (and no V bias) past layer 1
        QCOMPARE(layout.layers[l].qkvCols, cols);
        QCOMPARE(layout.tensors[layout.layers[l].qkvW].cols, cols);
        QCOMPARE(layout.tensors[layout.layers[l].qkvB].cols, cols);
    }
    Run<double> r(c, 11);
    QVERIFY(r.ws.layers[0].v != nullptr);
    for (int l = 1; l < c.layers; ++l) QVERIFY(r.ws.layers[l].v == nullptr);
    // Numerically: every layer's heads output A_l · V_1 (softmax recomputed from the layer's own q, k).
    QVERIFY(attentionMismatch(r, std::vector<double>(c.heads, 0.0), r.ws.layers[0].v) < 1e-12);
}

void TestMechanisms::resformerMixesValues() {
    // Identity: V'_n = 0.5·V_1 + 0.5·V_n; Constant (λ1, λ2) = (2, 1): V'_n = 2·V_1 + V_n. Layer 1 is plain.
    for (ValueResidual mode : {ValueResidual::Identity, ValueResidual::Constant}) {
        ModelConfig c = small();
        c.valueResidual = mode, c.layers = 3, c.lambda1 = 2.0, c.lambda2 = 1.0;
        const double l1 = mode == ValueResidual::Identity ? 0.5 : 2.0,
                     l2 = mode == ValueResidual::Identity ? 0.5 : 1.0;
        Run<double> r(c, 12);
        QVERIFY(r.ws.layers[0].vAtt == r.ws.layers[0].v);
        const double* v1 = r.ws.layers[0].v;
        for (int l = 1; l < c.layers; ++l) {
            const auto& L = r.ws.layers[l];
            QVERIFY(L.vAtt != L.v && L.vAtt != v1);
            double worst = 0, diff = 0, norm = 0;
            for (long i = 0; i < r.ws.N * c.dModel; ++i) {
                worst = std::max(worst, std::abs(L.vAtt[i] - (l1 * v1[i] + l2 * L.v[i])));
                diff += (L.v[i] - v1[i]) * (L.v[i] - v1[i]), norm += v1[i] * v1[i];
            }
            QVERIFY(worst < 1e-15);
            QVERIFY(diff > 0.1 * norm); // V_n really differs from V_1
        }
        QVERIFY(attentionMismatch(r, std::vector<double>(c.heads, 0.0)) < 1e-12); // attention uses V'
    }
}

void TestMechanisms::qkNormBoundsLogits() {
    // Bias-free per-head LN gives ‖q̂‖ ≤ √D, so |q̂·k̂|/√D ≤ √D·max|g_q|·max|g_k| however large the weights.
    auto maxLogit = [](bool qkNorm) {
        ModelConfig c = small();
        c.qkNorm = qkNorm, c.initStd = 10.0;
        Run<double> r(c, 13);
        double bound = std::sqrt(double(c.headDim()));
        if (qkNorm) {
            Rng rng(14);
            double gq = 0, gk = 0;
            for (const LayerParams& lp : r.model.layout().layers)
                for (int d = 0; d < c.headDim(); ++d) {
                    r.model.tensor(lp.qnG)[d] = 2 * rng.normal(),
                    r.model.tensor(lp.knG)[d] = 2 * rng.normal();
                    gq = std::max(gq, std::abs(r.model.tensor(lp.qnG)[d]));
                    gk = std::max(gk, std::abs(r.model.tensor(lp.knG)[d]));
                }
            bound *= gq * gk; // max over layers is ≥ every layer's own bound
            r.forward(rng);
        }
        const int T = r.ws.Tlen;
        double worst = 0;
        for (const auto& L : r.ws.layers)
            for (int b = 0; b < r.ws.B; ++b)
                for (int h = 0; h < c.heads; ++h)
                    for (int i = 0; i < T; ++i)
                        for (int j = 0; j <= i; ++j)
                            worst = std::max(
                                worst, std::abs(logit(L.qr, L.kr, std::size_t(b) * T + i,
                                                      std::size_t(b) * T + j, c.dModel, c.headDim(), h)));
        return std::pair{worst, bound};
    };
    const auto [normed, bound] = maxLogit(true);
    const auto [raw, unitBound] = maxLogit(false);
    QVERIFY2(normed <= bound * (1 + 1e-12), qPrintable(QString("%1 > bound %2").arg(normed).arg(bound)));
    QVERIFY2(normed > 0.1 * bound,
             qPrintable(QString("%1 vs bound %2").arg(normed).arg(bound))); // not vacuous
    QVERIFY2(raw > 100 * bound && raw > 100 * unitBound,
             qPrintable(QString("without QK-norm only %1").arg(raw)));
}

void TestMechanisms::ropeLogitsDependOnRelativePosition() {
    // One repeated token and no additive position signal: layer 0 sees the same q, k content at every
    // position, so after RoPE z_ij = q̂_i·k̂_j must depend on i − j only (z_{i+s, j+s} = z_ij), and must vary
    // with i − j.
    ModelConfig c = small();
    c.position = PositionScheme::Rope, c.context = 12;
    Model<double> model(c);
    Rng rng(15);
    model.initialize(rng);
    Workspace<double> ws(c, 1, c.context);
    const std::vector<std::int32_t> in(ws.N, 5);
    model.forward(ws, in.data(), nullptr);
    const int T = c.context;
    for (int h = 0; h < c.heads; ++h) {
        std::vector<double> z(std::size_t(T) * T);
        double zmax = 0;
        for (int i = 0; i < T; ++i)
            for (int j = 0; j < T; ++j)
                zmax = std::max(zmax, std::abs(z[i * T + j] = logit(ws.layers[0].qr, ws.layers[0].kr, i, j,
                                                                    c.dModel, c.headDim(), h)));
        double shiftError = 0, spread = 0;
        for (int i = 0; i < T; ++i)
            for (int j = 0; j < T; ++j) {
                if (i + 1 < T && j + 1 < T)
                    shiftError = std::max(shiftError, std::abs(z[(i + 1) * T + j + 1] - z[i * T + j]));
                spread = std::max(spread, std::abs(z[i * T + j] - z[0]));
            }
        QVERIFY2(shiftError < 1e-12 * zmax, qPrintable(QString("head %1: %2").arg(h).arg(shiftError)));
        QVERIFY2(spread > 1e-2 * zmax, qPrintable(QString("head %1: logits do not depend on i − j").arg(h)));
    }
}

void TestMechanisms::learnedPositionsRefuseLongerSequences() {
    ModelConfig c = small(); // learned positions, context 8
    Model<double> model(c);
    Rng rng(16);
    model.initialize(rng);
    const std::vector<std::int32_t> in(2 * c.context, 1);
    Workspace<double> fits(c, 1, c.context), longer(c, 1, c.context + 1);
    QVERIFY(std::isfinite(model.forward(fits, in.data(), in.data())));
    bool thrown = false;
    try {
        model.forward(longer, in.data(), in.data());
    } catch (const Error& e) {
        thrown = true;
        const QString message = e.what();
        QVERIFY2(message.contains("8") && message.contains("9") && message.contains("position"), e.what());
    }
    QVERIFY(thrown);
    // Schemes without a position table extrapolate.
    for (PositionScheme p :
         {PositionScheme::Sinusoidal, PositionScheme::Rope, PositionScheme::Alibi, PositionScheme::None}) {
        c.position = p;
        Model<double> m(c);
        m.initialize(rng);
        Workspace<double> ws(c, 1, 2 * c.context);
        QVERIFY(std::isfinite(m.forward(ws, in.data(), in.data())));
    }
}

QTEST_GUILESS_MAIN(TestMechanisms)
#include "tst_mechanisms.moc"
