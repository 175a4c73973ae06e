// Whole-model gradient checks: the hand-written backward of Model<double> against float64 central
// differences, for every position scheme, tied and untied heads, and every mechanism alone and combined.
#include "core/model/model.h"

#include <QtTest>
#include <cmath>
#include <omp.h>

using namespace attnscope;

namespace {

struct Case {
    const char* name;
    ModelConfig config;
};

ModelConfig tiny() {
    ModelConfig c;
    c.layers = 2;
    c.heads = 2;
    c.dModel = 8;
    c.context = 6;
    c.vocab = 7;
    c.initStd = 0.3; // larger than nanoGPT's 0.02 so every path carries signal well above FD noise
    return c;
}

// Relative error ‖a − b‖ / max(‖a‖, ‖b‖) per tensor; returns the worst and names it.
double worstRelativeError(Model<double>& model, Workspace<double>& ws, const std::vector<std::int32_t>& in,
                          const std::vector<std::int32_t>& tg, QString& worstName) {
    model.forward(ws, in.data(), tg.data());
    model.backward(ws);
    const auto analytic = model.grads;
    const double eps = 1e-5;
    double worst = 0;
    for (const TensorInfo& t : model.layout().tensors) {
        double diff2 = 0, a2 = 0, n2 = 0;
        for (std::size_t i = 0; i < t.size(); ++i) {
            double& p = model.params[t.offset + i];
            const double saved = p;
            p = saved + eps;
            const double lp = model.forward(ws, in.data(), tg.data()) + model.lastZLoss();
            p = saved - eps;
            const double lm = model.forward(ws, in.data(), tg.data()) + model.lastZLoss();
            p = saved;
            const double numeric = (lp - lm) / (2 * eps);
            const double a = analytic[t.offset + i];
            diff2 += (a - numeric) * (a - numeric);
            a2 += a * a;
            n2 += numeric * numeric;
        }
        const double scale = std::sqrt(std::max(a2, n2));
        if (scale < 1e-12) continue; // tensor without influence on this batch (e.g. an unused embedding row)
        const double rel = std::sqrt(diff2) / scale;
        if (rel > worst) {
            worst = rel;
            worstName = QString::fromStdString(t.name);
        }
    }
    return worst;
}

} // namespace

class TestModelGradients : public QObject {
    Q_OBJECT
private slots:
    // Finite differences need hundreds of thousands of tiny forwards; one thread avoids OpenMP barrier cost
    // (correctness does not depend on the thread count; tst_training checks the parallel paths).
    void initTestCase() { omp_set_num_threads(1); }
    void gradients_data();
    void gradients();
    void everyTensorReceivesGradient();
};

const std::vector<Case>& allCases() {
    static std::vector<Case> cases;
    if (!cases.empty()) return cases;
    auto add = [&](const char* name, auto modify) {
        ModelConfig c = tiny();
        modify(c);
        cases.push_back({name, c});
    };
    add("learned tied", [](ModelConfig&) {});
    add("learned untied", [](ModelConfig& c) { c.tiedHead = false; });
    add("sinusoidal", [](ModelConfig& c) { c.position = PositionScheme::Sinusoidal; });
    add("nope untied", [](ModelConfig& c) { c.position = PositionScheme::None, c.tiedHead = false; });
    add("alibi", [](ModelConfig& c) { c.position = PositionScheme::Alibi; });
    add("alibi 3 heads",
        [](ModelConfig& c) { c.position = PositionScheme::Alibi, c.heads = 3, c.dModel = 9; });
    add("rope", [](ModelConfig& c) { c.position = PositionScheme::Rope; });
    add("ls-attention", [](ModelConfig& c) { c.lsAttention = true, c.window = 3, c.globalHeads = 1; });
    add("ls all local + alibi", [](ModelConfig& c) {
        c.lsAttention = true, c.window = 2, c.globalHeads = 0, c.position = PositionScheme::Alibi;
    });
    add("resformer identity",
        [](ModelConfig& c) { c.valueResidual = ValueResidual::Identity, c.layers = 3; });
    add("resformer constant",
        [](ModelConfig& c) { c.valueResidual = ValueResidual::Constant, c.lambda1 = 2.0, c.lambda2 = 1.0; });
    add("resformer learnable",
        [](ModelConfig& c) { c.valueResidual = ValueResidual::Learnable, c.layers = 3; });
    add("svformer", [](ModelConfig& c) { c.valueResidual = ValueResidual::SVFormer, c.layers = 3; });
    add("sigma fused", [](ModelConfig& c) { c.sigmaReparam = SigmaReparam::Fused, c.tiedHead = false; });
    add("sigma separate sigma0",
        [](ModelConfig& c) { c.sigmaReparam = SigmaReparam::Separate, c.gammaInit = GammaInit::Sigma0; });
    add("qk-norm", [](ModelConfig& c) { c.qkNorm = true; });
    add("z-loss", [](ModelConfig& c) { c.zLoss = 0.05; });
    add("relu attention", [](ModelConfig& c) { c.attention = AttentionFunction::Relu; });
    add("relu attention + ls + alibi", [](ModelConfig& c) {
        c.attention = AttentionFunction::Relu, c.lsAttention = true, c.window = 3;
        c.position = PositionScheme::Alibi;
    });
    add("everything", [](ModelConfig& c) {
        c.position = PositionScheme::Rope, c.lsAttention = true, c.window = 3, c.qkNorm = true;
        c.valueResidual = ValueResidual::Learnable, c.sigmaReparam = SigmaReparam::Separate, c.zLoss = 0.01;
        c.tiedHead = false, c.layers = 3;
    });
    add("everything svformer alibi", [](ModelConfig& c) {
        c.position = PositionScheme::Alibi, c.lsAttention = true, c.window = 2, c.qkNorm = true;
        c.valueResidual = ValueResidual::SVFormer, c.sigmaReparam = SigmaReparam::Fused, c.layers = 3;
    });
    return cases;
}

void TestModelGradients::gradients_data() {
    QTest::addColumn<int>("index");
    for (std::size_t i = 0; i < allCases().size(); ++i) QTest::newRow(allCases()[i].name) << int(i);
}

void TestModelGradients::gradients() {
    QFETCH(int, index);
    const ModelConfig& c = allCases()[index].config;
    Model<double> model(c);
    Rng rng(42 + index);
    model.initialize(rng);
    if (c.sigmaReparam != SigmaReparam::Off) {
        // Move W away from its SVD init so the power step and σ are non-trivial, then take one power step:
        // the estimator treats the vectors as constants, as in training.
        for (double& p : model.params) p += 0.05 * rng.normal();
        model.sigmaPowerStep();
    }
    const int B = 2, T = c.context;
    Workspace<double> ws(c, B, T);
    std::vector<std::int32_t> in(B * T), tg(B * T);
    for (int i = 0; i < B * T; ++i) {
        in[i] = std::int32_t(rng.below(c.vocab));
        tg[i] = i % 5 == 3 ? -1 : std::int32_t(rng.below(c.vocab)); // some unscored targets
    }
    QString worstName;
    const double worst = worstRelativeError(model, ws, in, tg, worstName);
    QVERIFY2(worst < 1e-6, qPrintable(QString("worst relative error %1 in %2").arg(worst).arg(worstName)));
}

void TestModelGradients::everyTensorReceivesGradient() {
    // A gradient check passes trivially for a tensor the backward forgets *and* the forward ignores; make
    // sure every parameter actually influences the loss.
    ModelConfig c = tiny();
    c.tiedHead = false, c.qkNorm = true, c.valueResidual = ValueResidual::Learnable, c.layers = 3;
    c.sigmaReparam = SigmaReparam::Separate;
    Model<double> model(c);
    Rng rng(7);
    model.initialize(rng);
    Workspace<double> ws(c, 2, c.context);
    std::vector<std::int32_t> in(2 * c.context), tg(2 * c.context);
    for (std::size_t i = 0; i < in.size(); ++i)
        in[i] = std::int32_t(i % c.vocab), tg[i] = std::int32_t((i + 1) % c.vocab);
    model.forward(ws, in.data(), tg.data());
    model.backward(ws);
    for (const TensorInfo& t : model.layout().tensors) {
        double n = 0;
        for (std::size_t i = 0; i < t.size(); ++i) n += std::abs(model.grads[t.offset + i]);
        QVERIFY2(n > 0, qPrintable(QString::fromStdString(t.name) + " has an all-zero gradient"));
    }
}

QTEST_GUILESS_MAIN(TestModelGradients)
#include "tst_model_gradients.moc"
