// Optimisers: SGD with momentum against a hand-computed update (weight decay on the decayed tensors only),
// AdamW unchanged by the shared Optimizer base, thread-count independence and checkpoint round trips.
#include "core/model/model.h"
#include "core/optim/adamw.h"
#include "core/optim/sgd.h"
#include "core/train/checkpoint.h"
#include "core/train/trainer.h"
#include "core/util/error.h"

#include <QtTest>
#include <cmath>
#include <cstring>
#include <omp.h>

using namespace attnscope;

namespace {

ModelConfig tinyModel() {
    ModelConfig c;
    c.layers = 1, c.heads = 2, c.dModel = 8, c.context = 8, c.vocab = 11;
    return c;
}

std::vector<double> stepLosses(const RunSpec& spec) {
    Trainer trainer(spec);
    auto sub = trainer.bus().subscribe();
    trainer.run();
    std::vector<TelemetryMessage> messages;
    sub->drain(messages);
    std::vector<double> losses;
    for (const auto& m : messages)
        if (const auto* r = std::get_if<StepRecord>(&m)) losses.push_back(r->loss);
    return losses;
}

RunSpec sgdSpec(int steps) {
    RunSpec s;
    s.name = "sgd";
    s.model.layers = 2, s.model.heads = 4, s.model.dModel = 128, s.model.context = 64;
    s.model.attention = AttentionFunction::Relu;
    s.data.source = "task", s.data.task = "copy", s.data.taskAlphabet = 8;
    s.train.optimizer = OptimizerKind::Sgd, s.train.momentum = 0.9, s.train.lr = 3e-2;
    s.train.batch = 16, s.train.steps = steps, s.train.warmup = 2, s.train.recordEvery = steps;
    s.train.evalEvery = steps, s.train.checkpointEvery = 0;
    return s;
}

} // namespace

class TestOptim : public QObject {
    Q_OBJECT
private slots:
    void sgdMatchesHandComputedUpdates() {
        const ModelConfig c = tinyModel();
        Model<float> model(c);
        Rng rng(7);
        model.initialize(rng);
        TrainConfig tc;
        tc.optimizer = OptimizerKind::Sgd, tc.momentum = 0.8, tc.weightDecay = 0.1, tc.lr = 0.05;
        Sgd sgd(model.layout(), tc);
        const std::size_t n = model.params.size();
        std::vector<float> g1(n), g2(n);
        for (std::size_t i = 0; i < n; ++i) g1[i] = float(rng.normal()), g2[i] = float(rng.normal());
        const std::vector<float> p0(model.params.begin(), model.params.end());
        const double lr1 = 0.05, lr2 = 0.02;
        std::vector<float> ratios;
        sgd.step(model.params.data(), g1.data(), lr1, &ratios);
        const std::vector<float> p1(model.params.begin(), model.params.end());
        sgd.step(model.params.data(), g2.data(), lr2);
        QCOMPARE(sgd.steps(), 2);
        for (const TensorInfo& t : model.layout().tensors) {
            const double decay1 = t.decay ? lr1 * 0.1 : 0.0, decay2 = t.decay ? lr2 * 0.1 : 0.0;
            for (std::size_t k = 0; k < t.size(); ++k) {
                const std::size_t i = t.offset + k;
                // b1 = g1; θ1 = θ0 − η1·b1 − η1·λ·θ0; b2 = μ·b1 + g2; θ2 = θ1 − η2·b2 − η2·λ·θ1.
                const double b1 = g1[i], e1 = p0[i] - lr1 * b1 - decay1 * p0[i];
                const double b2 = 0.8 * b1 + g2[i], e2 = p1[i] - lr2 * b2 - decay2 * p1[i];
                QVERIFY2(std::abs(p1[i] - e1) <= 1e-6 * (1 + std::abs(e1)),
                         qPrintable(QString::fromStdString(t.name)));
                QVERIFY2(std::abs(model.params[i] - e2) <= 1e-6 * (1 + std::abs(e2)),
                         qPrintable(QString::fromStdString(t.name)));
            }
        }
        // The update ratio of the first step is ‖θ1 − θ0‖/‖θ0‖ per tensor.
        for (std::size_t ti = 0; ti < model.layout().tensors.size(); ++ti) {
            const TensorInfo& t = model.layout().tensors[ti];
            double du = 0, p = 0;
            for (std::size_t k = 0; k < t.size(); ++k)
                du += std::pow(double(p1[t.offset + k]) - p0[t.offset + k], 2),
                    p += std::pow(p0[t.offset + k], 2);
            const double expected = p > 0 ? std::sqrt(du / p) : 0.0;
            QVERIFY(std::abs(ratios[ti] - expected) <= 1e-4 * (1 + expected));
        }
        QCOMPARE(sgd.stateBuffers().size(), std::size_t(1));
        QCOMPARE(sgd.stateBuffers()[0].first, std::string("momentum"));
    }

    void adamwMatchesHandComputedUpdate() {
        const ModelConfig c = tinyModel();
        Model<float> model(c);
        Rng rng(8);
        model.initialize(rng);
        TrainConfig tc;
        tc.weightDecay = 0.1, tc.beta1 = 0.9, tc.beta2 = 0.95, tc.eps = 1e-8;
        AdamW adam(model.layout(), tc);
        std::vector<float> g(model.params.size());
        for (float& x : g) x = float(rng.normal());
        const std::vector<float> p0(model.params.begin(), model.params.end());
        adam.step(model.params.data(), g.data(), 1e-2);
        for (const TensorInfo& t : model.layout().tensors)
            for (std::size_t k = 0; k < t.size(); ++k) {
                const std::size_t i = t.offset + k;
                // Step 1: m̂ = g, v̂ = g², so Δ = −η·g/(|g| + ε) − η·λ·θ.
                const double e =
                    p0[i] - 1e-2 * g[i] / (std::abs(g[i]) + 1e-8) - (t.decay ? 1e-3 : 0.0) * p0[i];
                QVERIFY(std::abs(model.params[i] - e) <= 1e-6);
            }
    }

    void makeOptimizerFollowsTheConfig() {
        const ModelConfig c = tinyModel();
        Model<float> model(c);
        TrainConfig tc;
        QVERIFY(dynamic_cast<AdamW*>(makeOptimizer(model.layout(), tc).get()));
        tc.optimizer = OptimizerKind::Sgd;
        QVERIFY(dynamic_cast<Sgd*>(makeOptimizer(model.layout(), tc).get()));
        tc.momentum = 1.0;
        QVERIFY(!tc.validate().empty());
    }

    // SGD + ReLU attention: the same bits on 1, 2 and 3 threads (core/nn/parallel.h).
    void sgdIsIndependentOfThreads() {
        RunSpec spec = sgdSpec(6);
        std::vector<std::vector<double>> runs;
        for (int threads : {1, 2, 3}) {
            spec.train.threads = threads;
            runs.push_back(stepLosses(spec));
        }
        for (std::size_t t = 1; t < runs.size(); ++t) {
            QCOMPARE(runs[t].size(), runs[0].size());
            QVERIFY(std::memcmp(runs[t].data(), runs[0].data(), runs[0].size() * sizeof(double)) == 0);
        }
        QVERIFY(runs[0].back() < runs[0].front()); // and it learns
    }

    // The momentum buffer travels in checkpoints: a resumed SGD run continues bit-identically.
    void sgdResumesBitIdentically() {
        RunSpec spec = sgdSpec(10);
        spec.model.dModel = 32, spec.model.heads = 2, spec.model.context = 16;
        spec.train.checkpointEvery = 5, spec.train.threads = 2;
        Trainer full(spec);
        auto sub = full.bus().subscribe();
        full.run();
        std::vector<TelemetryMessage> messages;
        sub->drain(messages);
        std::vector<double> losses;
        std::shared_ptr<const std::vector<std::uint8_t>> at5;
        for (const auto& m : messages) {
            if (const auto* r = std::get_if<StepRecord>(&m)) losses.push_back(r->loss);
            if (const auto* c = std::get_if<CheckpointSaved>(&m); c && c->step == 5) at5 = c->safetensors;
        }
        QVERIFY(at5);
        Trainer resumed(spec);
        resumed.restore(*at5);
        auto sub2 = resumed.bus().subscribe();
        resumed.run();
        messages.clear();
        sub2->drain(messages);
        std::vector<double> rest;
        for (const auto& m : messages)
            if (const auto* r = std::get_if<StepRecord>(&m)) rest.push_back(r->loss);
        QCOMPARE(rest.size(), std::size_t(5));
        QVERIFY(std::memcmp(rest.data(), losses.data() + 5, 5 * sizeof(double)) == 0);
        // An SGD checkpoint names its state "momentum/…", so an AdamW spec cannot load it by mistake.
        const LoadedModel loaded = loadModel(*at5);
        QCOMPARE(loaded.spec.train.optimizer, OptimizerKind::Sgd);
        RunSpec adam = spec;
        adam.train.optimizer = OptimizerKind::AdamW;
        Trainer wrong(adam);
        QVERIFY_THROWS_EXCEPTION(Error, wrong.restore(*at5));
    }
};

QTEST_GUILESS_MAIN(TestOptim)
#include "tst_optim.moc"
