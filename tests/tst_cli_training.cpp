// The CLI's training adapter (cli/training_loop.cpp) in-process, where a trainer failure can be provoked: the
// command fails with one sentence naming the step and the cause, and the run file says Failed with the
// same message (tst_cli covers the successful paths through the built binary).
#include "cli/training_loop.h"
#include "core/store/run_reader.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "helpers/run_fixtures.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;

class TestCliTraining : public QObject {
    Q_OBJECT

private slots:
    void trainerFailureFailsTheCommandAndTheFile() {
        QTemporaryDir dir;
        const std::string file = QDir(dir.path()).filePath("fails.attnrun").toStdString();
        RunSpec s;
        s.model.layers = 1, s.model.heads = 2, s.model.dModel = 16, s.model.context = 16;
        s.data.source = "task", s.data.task = "copy", s.data.taskAlphabet = 8;
        s.train.batch = 4, s.train.steps = 40, s.train.warmup = 2, s.train.threads = 1;
        auto driver = RunDriver::create(s);
        driver->recordTo(file);
        driver->trainer().setStepObserver([](const StepRecord& r) {
            if (r.step == 9) throw Error("out of luck at step 9");
        });
        const std::string error = test::errorOf([&] { cli::runTrainingLoop(*driver, {file, true}); });
        QVERIFY2(error.find("training failed at step 9: out of luck at step 9") == 0, error.c_str());
        driver.reset();
        RunReader reader(file);
        QCOMPARE(reader.status().status, RunStatus::Failed);
        QCOMPARE(reader.status().message, std::string("out of luck at step 9"));
    }
};

QTEST_GUILESS_MAIN(TestCliTraining)
#include "tst_cli_training.moc"
