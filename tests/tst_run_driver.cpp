// RunDriver (core/run/run_driver.h): a failing trainer leaves Failed + its message in the file; the header
// stores the spec as used; continue and fork (a fork with unchanged settings continues its parent
// bit-identically; one that changes the parameter layout is refused); one writer per run file.
#include "core/run/run_driver.h"
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "helpers/run_fixtures.h"

#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

using namespace attnscope;
using namespace attnscope::test;

namespace {

RunSpec tinySpec(int steps) {
    RunSpec s;
    s.name = "driver";
    s.model.layers = 1, s.model.heads = 2, s.model.dModel = 16, s.model.context = 16;
    s.data.source = "task", s.data.task = "copy", s.data.taskAlphabet = 8;
    s.train.batch = 4, s.train.steps = steps, s.train.lr = 3e-3, s.train.warmup = 2;
    s.train.recordEvery = 5, s.train.evalEvery = 5, s.train.checkpointEvery = 10, s.train.threads = 1;
    s.train.minLrRatio = 1; // a schedule that does not depend on the step count: extensions are exact
    return s;
}

// Trains a tiny run of `steps` steps into `file` and checks that it finished.
void recordFinishedRun(const std::string& file, int steps) {
    auto driver = RunDriver::create(tinySpec(steps));
    driver->recordTo(file);
    driver->start();
    QCOMPARE(driver->wait().status, RunStatus::Finished);
}

} // namespace

class TestRunDriver : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return QDir(m_dir.path()).filePath(name).toStdString(); }

private slots:
    void failingTrainerLeavesFailedWithItsMessage() {
        const std::string file = path("fails.attnrun");
        auto driver = RunDriver::create(tinySpec(50));
        driver->recordTo(file);
        driver->setRecordInterval(5);
        driver->trainer().setStepObserver([](const StepRecord& r) {
            if (r.step == 7) throw Error("simulated failure at step 7");
        });
        driver->start();
        const RunOutcome outcome = driver->wait();
        QCOMPARE(outcome.status, RunStatus::Failed);
        QCOMPARE(outcome.message, std::string("simulated failure at step 7"));
        QVERIFY(outcome.recordingError.empty());
        driver.reset();
        RunReader reader(file);
        const StatusRecord status = reader.status();
        QCOMPARE(status.status, RunStatus::Failed);
        QCOMPARE(status.message, std::string("simulated failure at step 7"));
        QCOMPARE(status.step, 7);
        QCOMPARE(reader.steps().size(), 7u); // everything before the failure is kept
    }

    void headerStoresTheSpecAsUsed() {
        const std::string file = path("header.attnrun");
        RunSpec spec = tinySpec(3);
        spec.model.vocab = 96; // the default; the data decides
        auto driver = RunDriver::create(spec);
        driver->recordTo(file);
        const int vocab = driver->spec().model.vocab;
        QVERIFY(vocab != 96);
        driver->start();
        QCOMPARE(driver->wait().status, RunStatus::Finished);
        driver.reset();
        RunReader reader(file);
        QCOMPARE(runSpecFromJson(nlohmann::json::parse(reader.header().specJson)).model.vocab, vocab);
        QVERIFY(!std::isnan(reader.steps().front().ceLoss));                  // recorded
        QCOMPARE(reader.steps().front().ceLoss, reader.steps().front().loss); // no z-loss: the same
    }

    void continueExtendsAndRefusesWhenComplete() {
        const std::string file = path("continue.attnrun");
        recordFinishedRun(file, 20);
        QVERIFY_THROWS_EXCEPTION(RunComplete, RunDriver::continueRun(file));
        auto more = RunDriver::continueRun(file, {std::nullopt, 30, std::nullopt});
        QCOMPARE(more->startStep(), 20);
        more->start();
        QCOMPARE(more->wait().status, RunStatus::Finished);
        more.reset();
        RunReader reader(file);
        QCOMPARE(reader.steps().back().step, 30);
        QVERIFY(reader.events().back().message.find("steps extended from 20 to 30") != std::string::npos);
    }

    void forkWithTheSameSettingsContinuesBitIdentically() {
        const std::string parent = path("parent.attnrun"), child = path("child.attnrun");
        recordFinishedRun(parent, 30);
        auto fork = RunDriver::fork(parent, {10, child, false}, nullptr);
        QCOMPARE(fork->startStep(), 10);
        fork->start();
        QCOMPARE(fork->wait().status, RunStatus::Finished);
        fork.reset();
        RunReader p(parent), c(child);
        QCOMPARE(c.meta("parent_run"), parent);
        QCOMPARE(c.meta("parent_step"), std::string("10"));
        QCOMPARE(c.checkpointSteps().front(), 10);
        QCOMPARE(c.snapshotSteps().front(), 10);
        const auto ps = p.steps(), cs = c.steps();
        QCOMPARE(cs.size(), 20u);
        for (std::size_t i = 0; i < cs.size(); ++i) {
            QCOMPARE(cs[i].step, ps[i + 10].step);
            QCOMPARE(cs[i].loss, ps[i + 10].loss); // exact: same state, same data order
        }
    }

    void forkWithChangedSettings() {
        const std::string parent = path("fparent.attnrun");
        recordFinishedRun(parent, 10);
        // A learning rate changes the curve, not the layout.
        auto fork = RunDriver::fork(parent, {std::nullopt, path("lr.attnrun"), false}, [](RunSpec& s) {
            s.train.lr = 1e-2;
            s.train.steps = 15;
        });
        QCOMPARE(fork->spec().train.lr, 1e-2);
        fork.reset();
        // Wider model: refused, naming what changes.
        const std::string refused = errorOf([&] {
            RunDriver::fork(parent, {std::nullopt, path("wide.attnrun"), false}, [](RunSpec& s) {
                s.model.dModel = 32;
                s.train.steps = 15;
            });
        });
        QVERIFY2(refused.find("changes shape") != std::string::npos, refused.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path("wide.attnrun"))));
        const std::string mechanism = errorOf([&] {
            RunDriver::fork(parent, {std::nullopt, path("sigma.attnrun"), false}, [](RunSpec& s) {
                s.model.sigmaReparam = SigmaReparam::Fused;
                s.train.steps = 15;
            });
        });
        QVERIFY2(mechanism.find("Cannot fork") != std::string::npos, mechanism.c_str());
        // ReLU attention has no parameters: accepted. Another optimiser cannot read the checkpoint's state.
        auto relu = RunDriver::fork(parent, {std::nullopt, path("relu.attnrun"), false}, [](RunSpec& s) {
            s.model.attention = AttentionFunction::Relu;
            s.train.steps = 15;
        });
        QCOMPARE(relu->spec().model.attention, AttentionFunction::Relu);
        relu.reset();
        const std::string optimiser = errorOf([&] {
            RunDriver::fork(parent, {std::nullopt, path("sgd.attnrun"), false}, [](RunSpec& s) {
                s.train.optimizer = OptimizerKind::Sgd;
                s.train.steps = 15;
            });
        });
        QVERIFY2(optimiser.find("the optimiser changes from adamw to sgd") != std::string::npos,
                 optimiser.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path("sgd.attnrun"))));
        const std::string early = errorOf([&] {
            RunDriver::fork(parent, {std::nullopt, path("e.attnrun"), false}, nullptr);
        });
        QVERIFY2(early.find("not beyond") != std::string::npos, early.c_str());
    }

    void oneWriterPerRunFile() {
        const std::string file = path("locked.attnrun");
        auto driver = RunDriver::create(tinySpec(10));
        driver->recordTo(file); // holds the lock from here until the driver is gone
        const std::string append = errorOf([&] { RunWriter::openForAppend(file); });
        QVERIFY2(append.find("is being written by pid") != std::string::npos, append.c_str());
        const std::string overwrite =
            errorOf([&] { RunWriter::create(file, makeHeader(), RunWriter::IfExists::Overwrite); });
        QVERIFY2(overwrite.find("is being written by pid") != std::string::npos, overwrite.c_str());
        const std::string cont = errorOf([&] { RunDriver::continueRun(file); });
        QVERIFY2(cont.find("is being written by") != std::string::npos, cont.c_str());
        RunReader reader(file); // readers never lock
        QVERIFY(reader.meta("writer").find("pid ") == 0);
        driver->start();
        QCOMPARE(driver->wait().status, RunStatus::Finished);
        driver.reset();
        RunWriter again = RunWriter::openForAppend(file); // released with the driver
    }
};

QTEST_GUILESS_MAIN(TestRunDriver)
#include "tst_run_driver.moc"
