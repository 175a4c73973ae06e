// Training time over sessions (core/run/training_time.h): after a Continue or a Fork, speed and ETA count
// only the steps trained in the latest session, and the total adds up every session.
#include "core/run/training_time.h"

#include <QtTest>
#include <cmath>

using namespace attnscope;

namespace {
StepRecord at(int step, double elapsed) {
    StepRecord r;
    r.step = step;
    r.elapsedSec = elapsed;
    return r;
}
} // namespace

class TestTrainingTime : public QObject {
    Q_OBJECT
private slots:
    void oneSession() {
        std::vector<StepRecord> steps;
        for (int s = 1; s <= 100; ++s) steps.push_back(at(s, 0.5 * s));
        const TrainingTime t = trainingTime(steps);
        QCOMPARE(t.sessionSteps, 100);
        QCOMPARE(t.sessionSeconds, 50.0);
        QCOMPARE(t.totalSeconds, 50.0);
        QCOMPARE(t.secondsPerStep(), 0.5);
    }

    // 400 steps at 1 s each, then Continue: 10 steps at 2 s. Steps-so-far / elapsed would say 0.05 s a step.
    void continuedRunCountsOnlyThisSession() {
        std::vector<StepRecord> steps;
        for (int s = 1; s <= 400; ++s) steps.push_back(at(s, s));
        for (int s = 401; s <= 410; ++s) steps.push_back(at(s, 2.0 * (s - 400)));
        const TrainingTime t = trainingTime(steps);
        QCOMPARE(t.sessionSteps, 10);
        QCOMPARE(t.sessionSeconds, 20.0);
        QCOMPARE(t.secondsPerStep(), 2.0);
        QCOMPARE(t.totalSeconds, 420.0);
    }

    void nothingYet() {
        const TrainingTime t = trainingTime({});
        QCOMPARE(t.sessionSteps, 0);
        QVERIFY(std::isnan(t.secondsPerStep()));
    }
};

QTEST_APPLESS_MAIN(TestTrainingTime)
#include "tst_training_time.moc"
