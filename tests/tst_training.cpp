// End-to-end training behaviour: overfitting, learning a real task, determinism, resume, divergence handling
// and configuration errors.
#include "core/data/token_source.h"
#include "core/model/model.h"
#include "core/optim/adamw.h"
#include "core/probe/head_roles.h"
#include "core/train/telemetry.h"
#include "core/train/trainer.h"
#include "core/util/error.h"

#include <QtTest>
#include <cmath>
#include <omp.h>
#include <tuple>

using namespace attnscope;

namespace {

RunSpec taskSpec(const char* task, int steps) {
    RunSpec s;
    s.name = "test";
    s.model.layers = 2, s.model.heads = 2, s.model.dModel = 32, s.model.context = 32;
    s.data.source = "task", s.data.task = task, s.data.taskAlphabet = 8;
    s.train.batch = 16, s.train.steps = steps, s.train.lr = 3e-3, s.train.warmup = 20;
    s.train.recordEvery = 50, s.train.evalEvery = 50, s.train.threads = 2, s.train.weightDecay = 0.0;
    return s;
}

struct Collected {
    std::vector<StepRecord> steps;
    std::vector<SnapshotPtr> snapshots;
    std::vector<Event> events;
    std::vector<StatusChange> statuses;
    std::vector<CheckpointSaved> checkpoints;
};

Collected runToEnd(Trainer& trainer) {
    auto sub = trainer.bus().subscribe();
    trainer.run();
    std::vector<TelemetryMessage> messages;
    sub->drain(messages);
    Collected c;
    for (auto& m : messages) {
        if (auto* r = std::get_if<StepRecord>(&m))
            c.steps.push_back(*r);
        else if (auto* s = std::get_if<SnapshotPtr>(&m))
            c.snapshots.push_back(*s);
        else if (auto* e = std::get_if<Event>(&m))
            c.events.push_back(*e);
        else if (auto* st = std::get_if<StatusChange>(&m))
            c.statuses.push_back(*st);
        else if (auto* ck = std::get_if<CheckpointSaved>(&m))
            c.checkpoints.push_back(*ck);
    }
    return c;
}

} // namespace

class TestTraining : public QObject {
    Q_OBJECT
private slots:
    void overfitsOneBatch();
    void learnsInductionTask();
    void sameSeedSameThreadsIsBitIdentical();
    void lossesDoNotDependOnThreadCount_data();
    void lossesDoNotDependOnThreadCount();
    void resumeContinuesBitIdentically();
    void divergenceIsRecordedNotFatal();
    void badConfigurationsAreRefused();
    void frontEndQueuesDropOldSnapshotsNeverSteps();
};

void TestTraining::overfitsOneBatch() {
    omp_set_num_threads(2);
    ModelConfig c;
    c.layers = 2, c.heads = 2, c.dModel = 32, c.context = 16, c.vocab = 20;
    Model<float> model(c);
    Rng rng(3);
    model.initialize(rng);
    TrainConfig tc;
    tc.weightDecay = 0;
    AdamW adam(model.layout(), tc);
    Workspace<float> ws(c, 2, c.context);
    std::vector<std::int32_t> in(32), tg(32);
    for (int i = 0; i < 32; ++i) in[i] = std::int32_t(rng.below(20)), tg[i] = std::int32_t(rng.below(20));
    double first = 0, loss = 0;
    for (int step = 1; step <= 300; ++step) {
        loss = model.forward(ws, in.data(), tg.data());
        if (step == 1) first = loss;
        model.backward(ws);
        clipGradientNorm(model.grads.data(), model.grads.size(), 1.0);
        adam.step(model.params.data(), model.grads.data(), 1e-2);
    }
    QVERIFY2(first > 2.5, qPrintable(QString("initial loss %1 should be near ln 20").arg(first)));
    QVERIFY2(loss < 0.05, qPrintable(QString("final loss %1 after 300 steps on one batch").arg(loss)));
}

void TestTraining::learnsInductionTask() {
    // Measured: this model reaches val ≈ 0.94 nats by step 300 and ≈ 0.6 by step 600 (chance ln 8 = 2.08).
    RunSpec spec = taskSpec("induction", 400);
    spec.model.dModel = 64, spec.model.heads = 4;
    Trainer trainer(spec);
    const Collected c = runToEnd(trainer);
    QCOMPARE(int(c.steps.size()), 400);
    const double chance = std::log(8.0);
    const double val = c.steps.back().valLoss;
    QVERIFY2(val < 0.5 * chance, qPrintable(QString("val loss %1, chance %2").arg(val).arg(chance)));
    QCOMPARE(c.statuses.back().status, RunStatus::Finished);
    QVERIFY(!c.snapshots.empty());
    QCOMPARE(c.snapshots.front()->step, 0);
    QCOMPARE(c.checkpoints.back().step, 400);
    // Every snapshot carries its induction probe (8 symbols + ';' and '|' … of the task vocabulary, repeated)
    // with the head scores; at initialisation no head is an induction head (uniform-ish attention).
    for (const SnapshotPtr& s : c.snapshots) {
        QVERIFY(s->induction);
        QCOMPARE(s->induction->length % 2, 0); // no <bos>: r r
        QCOMPARE(s->induction->inductionScore.size(), std::size_t(2 * 4));
        QCOMPARE(s->previousToken.size(), std::size_t(2 * 4));
    }
    for (float v : c.snapshots.front()->induction->inductionScore)
        QVERIFY2(v < 0.2f, qPrintable(QString::number(v)));
    // The ICL score at every evaluation.
    int icl = 0;
    for (const StepRecord& r : c.steps)
        for (const auto& [name, value] : r.scalars)
            icl += name == kIclScalar && std::isfinite(value) && std::isfinite(r.valLoss);
    QCOMPARE(icl, 400 / 50);
}

void TestTraining::sameSeedSameThreadsIsBitIdentical() {
    RunSpec spec = taskSpec("copy", 60);
    spec.data.source = "fortunes"; // real text when installed; tasks otherwise
    if (!QFileInfo::exists("/usr/share/games/fortunes")) spec.data.source = "task";
    Trainer a(spec), b(spec);
    const Collected ra = runToEnd(a), rb = runToEnd(b);
    QCOMPARE(ra.steps.size(), rb.steps.size());
    for (std::size_t i = 0; i < ra.steps.size(); ++i)
        QVERIFY2(std::memcmp(&ra.steps[i].loss, &rb.steps[i].loss, sizeof(double)) == 0,
                 qPrintable(QString("step %1: %2 vs %3")
                                .arg(i + 1)
                                .arg(ra.steps[i].loss, 0, 'g', 17)
                                .arg(rb.steps[i].loss, 0, 'g', 17)));
    spec.train.seed += 1;
    Trainer other(spec);
    const Collected ro = runToEnd(other);
    QVERIFY(ro.steps.back().loss != ra.steps.back().loss);
}

void TestTraining::lossesDoNotDependOnThreadCount_data() {
    QTest::addColumn<bool>("mechanisms");
    QTest::newRow("vanilla") << false;
    QTest::newRow("LS + ALiBi + ResFormer + sigmaReparam + QK-norm + z-loss") << true;
}

// Work is cut into blocks fixed by the problem size (core/nn/parallel.h), so 1, 2 and 3 threads give the same
// bits. The sizes make every op split: 1024 rows (2 GEMM row blocks), d_model 128 (2 column blocks).
void TestTraining::lossesDoNotDependOnThreadCount() {
    QFETCH(bool, mechanisms);
    RunSpec spec = taskSpec("copy", 12);
    spec.model.dModel = 128, spec.model.heads = 4, spec.model.context = 64, spec.train.batch = 16;
    spec.train.recordEvery = 12, spec.train.evalEvery = 12;
    if (mechanisms) {
        spec.model.position = PositionScheme::Alibi;
        spec.model.lsAttention = true, spec.model.window = 8, spec.model.globalHeads = 1;
        spec.model.valueResidual = ValueResidual::Learnable;
        spec.model.sigmaReparam = SigmaReparam::Fused;
        spec.model.qkNorm = true, spec.model.zLoss = 1e-4;
    }
    std::vector<Collected> runs;
    for (int threads : {1, 2, 3}) {
        spec.train.threads = threads;
        Trainer trainer(spec);
        runs.push_back(runToEnd(trainer));
    }
    for (std::size_t t = 1; t < runs.size(); ++t) {
        QCOMPARE(runs[t].steps.size(), runs[0].steps.size());
        for (std::size_t i = 0; i < runs[0].steps.size(); ++i)
            QVERIFY2(
                std::memcmp(&runs[t].steps[i].loss, &runs[0].steps[i].loss, sizeof(double)) == 0 &&
                    std::memcmp(&runs[t].steps[i].gradNorm, &runs[0].steps[i].gradNorm, sizeof(double)) == 0,
                qPrintable(QString("%1 threads, step %2: loss %3 vs %4, gradient norm %5 vs %6")
                               .arg(t + 1)
                               .arg(i + 1)
                               .arg(runs[t].steps[i].loss, 0, 'g', 17)
                               .arg(runs[0].steps[i].loss, 0, 'g', 17)
                               .arg(runs[t].steps[i].gradNorm, 0, 'g', 17)
                               .arg(runs[0].steps[i].gradNorm, 0, 'g', 17)));
    }
}

void TestTraining::resumeContinuesBitIdentically() {
    RunSpec spec = taskSpec("sort", 40);
    spec.model.sigmaReparam = SigmaReparam::Fused; // persistent power-iteration vectors must be restored too
    spec.train.checkpointEvery = 20;
    Trainer full(spec);
    const Collected rf = runToEnd(full);
    QVERIFY(rf.checkpoints.size() >= 2);
    QCOMPARE(rf.checkpoints.front().step, 20);
    Trainer resumed(spec);
    resumed.restore(*rf.checkpoints.front().safetensors);
    QCOMPARE(resumed.step(), 20);
    const Collected rr = runToEnd(resumed);
    QCOMPARE(int(rr.steps.size()), 20);
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(rr.steps[i].step, rf.steps[20 + i].step);
        QVERIFY(std::memcmp(&rr.steps[i].loss, &rf.steps[20 + i].loss, sizeof(double)) == 0);
    }
    // A checkpoint of another architecture is refused with a clear message.
    RunSpec other = spec;
    other.model.dModel = 16;
    Trainer mismatched(other);
    QVERIFY_THROWS_EXCEPTION(Error, mismatched.restore(*rf.checkpoints.front().safetensors));
}

void TestTraining::divergenceIsRecordedNotFatal() {
    RunSpec spec = taskSpec("copy", 200);
    spec.train.lr = 1e9, spec.train.gradClip = 0, spec.train.warmup = 0, spec.train.recordEvery = 1;
    Trainer trainer(spec);
    const Collected c = runToEnd(trainer);
    QCOMPARE(c.statuses.back().status, RunStatus::Diverged);
    QVERIFY(c.steps.size() < 200);
    bool nonFinite = false;
    for (const Event& e : c.events) nonFinite |= e.kind == EventKind::NonFinite;
    QVERIFY(nonFinite);
    for (const StepRecord& r : c.steps) QVERIFY(std::isfinite(r.loss)); // everything recorded before is kept
}

void TestTraining::badConfigurationsAreRefused() {
    RunSpec spec = taskSpec("copy", 10);
    spec.model.heads = 3; // does not divide 32
    try {
        Trainer t(spec);
        QFAIL("a model with heads not dividing d_model was accepted");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("divide"), e.what());
    }
    spec = taskSpec("copy", 0);
    QVERIFY_THROWS_EXCEPTION(Error, Trainer{spec});
    spec = taskSpec("copy", 10);
    spec.data.task = "juggle";
    QVERIFY_THROWS_EXCEPTION(Error, Trainer{spec});
    spec = taskSpec("copy", 10);
    spec.model.lsAttention = true, spec.model.window = 64; // larger than the context
    QVERIFY_THROWS_EXCEPTION(Error, Trainer{spec});
}

// A front end that does not drain holds at most its bound of snapshots and checkpoints (the newest), with the
// dropped ones counted; every step and event still arrives, and a lossless subscriber gets everything.
void TestTraining::frontEndQueuesDropOldSnapshotsNeverSteps() {
    TelemetryBus bus;
    const auto frontEnd = bus.subscribe(3);
    const auto file = bus.subscribe();
    for (int step = 1; step <= 50; ++step) {
        StepRecord record;
        record.step = step, record.loss = 1.0 / step;
        bus.publish(record);
        auto snapshot = std::make_shared<ProbeSnapshot>();
        snapshot->step = step;
        bus.publish(SnapshotPtr(snapshot));
        if (step % 10 == 0) bus.publish(CheckpointSaved{step, nullptr});
        if (step == 25) bus.publish(Event(step, EventKind::LossSpike, "spike"));
    }
    auto count = [](const std::vector<TelemetryMessage>& messages) {
        std::vector<int> steps, snapshots, checkpoints;
        int events = 0;
        for (const TelemetryMessage& m : messages) {
            if (const auto* r = std::get_if<StepRecord>(&m)) steps.push_back(r->step);
            if (const auto* s = std::get_if<SnapshotPtr>(&m)) snapshots.push_back((*s)->step);
            if (const auto* c = std::get_if<CheckpointSaved>(&m)) checkpoints.push_back(c->step);
            events += std::holds_alternative<Event>(m);
        }
        return std::tuple(steps, snapshots, checkpoints, events);
    };
    std::vector<TelemetryMessage> shown, recorded;
    frontEnd->drain(shown);
    file->drain(recorded);
    const auto [steps, snapshots, checkpoints, events] = count(shown);
    QCOMPARE(int(steps.size()), 50); // losses are never dropped, in order
    for (int i = 0; i < 50; ++i) QCOMPARE(steps[std::size_t(i)], i + 1);
    QCOMPARE(events, 1);
    // The newest three bulky messages: step 49's and 50's snapshots and step 50's checkpoint.
    QCOMPARE(snapshots, (std::vector<int>{49, 50}));
    QCOMPARE(checkpoints, (std::vector<int>{50}));
    QCOMPARE(frontEnd->dropped(), std::uint64_t(50 + 5 - 3));
    const auto [allSteps, allSnapshots, allCheckpoints, allEvents] = count(recorded);
    QCOMPARE(int(allSteps.size()), 50);
    QCOMPARE(int(allSnapshots.size()), 50);
    QCOMPARE(int(allCheckpoints.size()), 5);
    QCOMPARE(allEvents, 1);
    QCOMPARE(file->dropped(), std::uint64_t(0));
    // Draining empties the count of waiting messages: the bound applies to what waits, not to a total.
    for (int step = 51; step <= 53; ++step) {
        auto snapshot = std::make_shared<ProbeSnapshot>();
        snapshot->step = step;
        bus.publish(SnapshotPtr(snapshot));
    }
    shown.clear();
    frontEnd->drain(shown);
    QCOMPARE(std::get<1>(count(shown)), (std::vector<int>{51, 52, 53}));
}

QTEST_GUILESS_MAIN(TestTraining)
#include "tst_training.moc"
