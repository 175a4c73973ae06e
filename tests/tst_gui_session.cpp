// End to end through the main window: a tiny run started from the New-run panel reaches every view; the
// panel's toggles reach the engine's config; invalid input is refused with a message; A/B pairs, pause and
// resume; closing the window mid-training leaves a valid run file.
#include "core/run/run_driver.h"
#include "core/store/run_reader.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "gui/app/main_window.h"
#include "gui/app/new_run_panel.h"
#include "gui/app/run_status_widget.h"
#include "gui/attention/attention_grid_canvas.h"
#include "gui/attention/attention_grid_view.h"
#include "gui/attention/attention_panel.h"
#include "gui/session/run_loader.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/session/snapshot_map_cache.h"
#include "gui/session/training_session.h"
#include "gui/views/curve_chart.h"
#include "gui/views/entropy_view.h"
#include "gui/views/logit_view.h"
#include "gui/views/sinks_view.h"
#include "gui/views/training_view.h"
#include "helpers/gui/new_run_form.h"
#include "helpers/gui/test_settings.h"
#include "helpers/large_run.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace attnscope;
using namespace attnscope::gui;

using namespace attnscope::test;

class TestGuiSession : public QObject {
    Q_OBJECT
    QTemporaryDir m_runs;

private slots:
    void initTestCase() {
        test::useIsolatedSettings();
        QVERIFY(m_runs.isValid());
    }

    void tinyRunReachesEveryView() {
        MainWindow w;
        w.sessions().setRunDirectory(m_runs.path());
        w.show();
        NewRunPanel* panel = w.newRunPanel();
        setTinyRun(panel, 30, "tiny");
        auto* start = field<QPushButton>(panel, "start");
        QVERIFY2(start->isEnabled(), qPrintable(panel->problems().join("; ")));
        start->click();
        QCOMPARE(w.registry().runs().size(), std::size_t(1));
        const RunData& run = *w.registry().runs().front();
        QVERIFY(run.live);
        QTRY_VERIFY_WITH_TIMEOUT(run.status == RunStatus::Finished, 20000);
        QCOMPARE(run.lastStep(), 30);
        QVERIFY(run.snapshots.size() >= 6);

        // Every tab shows the run (hidden tabs catch up when shown).
        for (int i = 0; i < w.tabs()->count(); ++i) {
            w.tabs()->setCurrentIndex(i);
            QCoreApplication::processEvents();
        }
        for (RunView* v :
             std::initializer_list<RunView*>{w.trainingView(), w.entropyView(), w.logitView(), w.sinksView()})
            v->flushUpdates();
        QVERIFY(w.trainingView()->lossChart()->visiblePointCount() >= 30);
        QVERIFY(w.trainingView()->outputLogitChart()->visiblePointCount() >= 2 * 6);
        QVERIFY(w.entropyView()->layerChart(1)->visiblePointCount() >= 2 * 6);
        QVERIFY(w.entropyView()->meanChart()->visiblePointCount() >= 6);
        QVERIFY(w.logitView()->layerChart(1)->visiblePointCount() >= 2 * 6);
        QVERIFY(w.logitView()->layerMaxChart()->visiblePointCount() >= 2 * 6);
        QVERIFY(w.sinksView()->layerChart(0)->visiblePointCount() >= 2 * 6);
        QVERIFY(w.sinksView()->sinkRateChart()->visiblePointCount() >= 6);
        QCOMPARE(w.sinksView()->profileStep(), run.snapshots.back()->step);
        QVERIFY(w.sinksView()->profileChart()->visiblePointCount() >= 2 * 16);
        QVERIFY(w.attentionPanel()->shownSnapshot());
        QCOMPARE(w.attentionPanel()->shownSnapshot()->step, run.snapshots.back()->step);
        QVERIFY2(w.runStatus()->text().contains("step 30 / 30"), qPrintable(w.runStatus()->text()));
        // A finished run offers no Pause or Stop (they used to stay enabled when the final status arrived
        // before the training thread had ended).
        QTRY_VERIFY(!w.findChild<QAbstractButton*>("pauseRun")->isEnabled());
        QVERIFY(!w.findChild<QAbstractButton*>("stopRun")->isEnabled());

        // The recorded file holds the same run.
        QVERIFY(!run.filePath.isEmpty());
        RunReader reader(run.filePath.toStdString());
        QCOMPARE(reader.steps().size(), std::size_t(30));
        QCOMPARE(reader.snapshotSteps().size(), run.snapshots.size());
        QCOMPARE(reader.status().status, RunStatus::Finished);
        // The header stores the spec as used: the vocabulary is the data's, not the form's default.
        QCOMPARE(reader.spec().model.vocab, run.tokenizer->vocabSize());
        QCOMPARE(run.spec.model.vocab, run.tokenizer->vocabSize());

        // … and opens again as a loaded run.
        const int loaded = w.openRunFile(run.filePath);
        QVERIFY(loaded);
        QCOMPARE(w.registry().find(loaded)->steps.size(), std::size_t(30));
    }

    void togglesReachTheEngine() {
        MainWindow w;
        w.sessions().setRunDirectory(m_runs.path());
        NewRunPanel* panel = w.newRunPanel();
        setTinyRun(panel, 100000, "toggles");
        field<QCheckBox>(panel, "model.lsAttention")->setChecked(true);
        field<QSpinBox>(panel, "model.window")->setValue(4);
        field<QSpinBox>(panel, "model.globalHeads")->setValue(1);
        QVERIFY(selectData(field<QComboBox>(panel, "model.position"), int(PositionScheme::Alibi)));
        QVERIFY(selectData(field<QComboBox>(panel, "model.valueResidual"), int(ValueResidual::Learnable)));
        QVERIFY(selectData(field<QComboBox>(panel, "model.sigmaReparam"), int(SigmaReparam::Separate)));
        QVERIFY(selectData(field<QComboBox>(panel, "model.gammaInit"), int(GammaInit::Sigma0)));
        field<QCheckBox>(panel, "model.qkNorm")->setChecked(true);
        field<QDoubleSpinBox>(panel, "model.zLoss")->setValue(1e-4);
        field<QCheckBox>(panel, "data.bos")->setChecked(true);
        field<QDoubleSpinBox>(panel, "train.lr")->setValue(3e-3);
        field<QLineEdit>(panel, "train.seed")->setText("4242");
        QVERIFY2(panel->problems().isEmpty(), qPrintable(panel->problems().join("; ")));

        const int id = panel->start();
        QVERIFY(id);
        const RunSpec& engine = w.sessions().session(id)->trainer().spec();
        QVERIFY(engine.model.lsAttention);
        QCOMPARE(engine.model.window, 4);
        QCOMPARE(engine.model.globalHeads, 1);
        QCOMPARE(engine.model.position, PositionScheme::Alibi);
        QCOMPARE(engine.model.valueResidual, ValueResidual::Learnable);
        QCOMPARE(engine.model.sigmaReparam, SigmaReparam::Separate);
        QCOMPARE(engine.model.gammaInit, GammaInit::Sigma0);
        QVERIFY(engine.model.qkNorm);
        QCOMPARE(engine.model.zLoss, 1e-4);
        QVERIFY(engine.data.bos);
        QCOMPARE(engine.train.lr, 3e-3);
        QCOMPARE(engine.train.seed, std::uint64_t(4242));
        QCOMPARE(engine.model.layers, 2);
        QVERIFY(engine.train.threads >= 1); // "auto" resolved to a share of the cores
        // The run's learnable λ and σReparam scalars reach the mechanism charts.
        QTRY_VERIFY_WITH_TIMEOUT(w.registry().find(id)->snapshots.size() >= 2, 20000);
        w.trainingView()->flushUpdates();
        w.logitView()->flushUpdates();
        QVERIFY(w.trainingView()->lambdaChart()->visiblePointCount() > 0);
        QVERIFY(w.logitView()->sigmaChart()->visiblePointCount() > 0);
        QVERIFY(w.logitView()->gammaChart()->visiblePointCount() > 0);
        w.sessions().stopAll();
        QCOMPARE(w.registry().find(id)->status, RunStatus::Stopped);
    }

    void invalidInputIsRefused() {
        MainWindow w;
        w.sessions().setRunDirectory(m_runs.path());
        NewRunPanel* panel = w.newRunPanel();
        setTinyRun(panel, 30, "tiny");
        field<QSpinBox>(panel, "model.heads")->setValue(3); // 32 is not divisible by 3
        auto* start = field<QPushButton>(panel, "start");
        QVERIFY(!start->isEnabled());
        QVERIFY(!field<QPushButton>(panel, "startAb")->isEnabled());
        QVERIFY(!panel->problems().isEmpty());
        auto* message = field<QLabel>(panel, "validationMessage");
        QVERIFY(!message->isHidden());
        QVERIFY(message->text().contains(panel->problems().front().toHtmlEscaped()));
        QCOMPARE(panel->start(), 0);
        QVERIFY(w.registry().runs().empty());

        // Fixing the field clears the message and enables Start again.
        field<QSpinBox>(panel, "model.heads")->setValue(2);
        QVERIFY(start->isEnabled());
        QVERIFY(message->isHidden());

        // A spec that validates but whose data cannot be built is refused at Start, with the reason.
        QVERIFY(selectData(field<QComboBox>(panel, "data.source"), "file"));
        field<QLineEdit>(panel, "data.path")->setText(m_runs.filePath("missing.txt"));
        if (panel->problems().isEmpty()) {
            QCOMPARE(panel->start(), 0);
            QVERIFY(panel->message().startsWith("Could not start"));
        }
        QVERIFY(w.registry().runs().empty());
    }

    void abPairPauseAndResume() {
        MainWindow w;
        w.sessions().setRunDirectory(m_runs.path());
        w.sessions().setCores(4);
        NewRunPanel* panel = w.newRunPanel();
        setTinyRun(panel, 100000, "ab");
        QVERIFY(selectData(field<QComboBox>(panel, "abToggle"), "alibi"));
        const auto [a, b] = panel->startAb();
        QVERIFY(a && b);
        const RunData* runA = w.registry().find(a);
        const RunData* runB = w.registry().find(b);
        QCOMPARE(runA->spec.model.position, PositionScheme::Learned);
        QCOMPARE(runB->spec.model.position, PositionScheme::Alibi);
        QCOMPARE(runA->spec.train.seed, runB->spec.train.seed);
        QCOMPARE(runA->spec.train.threads, 2); // 4 cores split between the two runs
        QCOMPARE(runB->spec.train.threads, 2);

        Trainer& trainerA = w.sessions().session(a)->trainer();
        Trainer& trainerB = w.sessions().session(b)->trainer();
        QCOMPARE(trainerA.threads(), 2);
        QCOMPARE(trainerB.threads(), 2);

        QTRY_VERIFY_WITH_TIMEOUT(runA->lastStep() > 5, 20000);
        w.sessions().pause(a);
        QCOMPARE(trainerB.threads(), 4); // the paused run's cores go to the other one
        w.sessions().session(b)->pull();
        QCOMPARE(runB->threads, 4); // what the status bar shows
        QTRY_COMPARE_WITH_TIMEOUT(runA->status, RunStatus::Paused, 10000);
        const int pausedAt = runA->lastStep();
        // While run B trains three more steps, run A takes none: B's progress, not the clock, is the wait.
        const int bAt = runB->lastStep();
        QTRY_VERIFY_WITH_TIMEOUT((w.sessions().session(b)->pull(), runB->lastStep() >= bAt + 3), 20000);
        w.sessions().session(a)->pull();
        QVERIFY(runA->lastStep() <= pausedAt + 1); // at most the step in flight
        QVERIFY(runB->lastStep() > 0);
        w.sessions().resume(a);
        QCOMPARE(trainerA.threads(), 2);
        QCOMPARE(trainerB.threads(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(runA->status, RunStatus::Training, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(runA->lastStep() > pausedAt + 1, 10000);
        w.sessions().stop(b);
        QTRY_COMPARE_WITH_TIMEOUT(runB->status, RunStatus::Stopped, 10000);
        QCOMPARE(runA->status, RunStatus::Training);
        QTRY_COMPARE_WITH_TIMEOUT(trainerA.threads(), 4, 10000); // B ended: A gets every core
    }

    void closingMidTrainingLeavesAValidFile() {
        QString path;
        std::size_t steps = 0;
        {
            MainWindow w;
            w.sessions().setRunDirectory(m_runs.path());
            w.show();
            setTinyRun(w.newRunPanel(), 100000, "closing");
            const int id = w.newRunPanel()->start();
            QVERIFY(id);
            QTRY_VERIFY_WITH_TIMEOUT(w.registry().find(id)->snapshots.size() >= 2, 20000);
            // Quitting while a run trains asks first: Cancel keeps everything running.
            int asked = 0;
            bool answer = false;
            w.confirmQuit = [&](int training) {
                asked = training;
                return answer;
            };
            QVERIFY(!w.close());
            QCOMPARE(asked, 1);
            QCOMPARE(w.registry().find(id)->status, RunStatus::Training);
            answer = true; // "Stop and keep"
            QVERIFY(w.close());
            const RunData* run = w.registry().find(id);
            QCOMPARE(run->status, RunStatus::Stopped);
            path = run->filePath;
            steps = run->steps.size();
        }
        RunReader reader(path.toStdString());
        QCOMPARE(reader.status().status, RunStatus::Stopped);
        QCOMPARE(reader.steps().size(), steps);
        QVERIFY(reader.snapshotSteps().size() >= 2);
        QVERIFY(reader.verify().empty());
    }

    void failingTrainerShowsAndRecordsFailed() {
        MainWindow w;
        RunSpec spec;
        spec.name = "fails";
        spec.model.layers = 1, spec.model.heads = 2, spec.model.dModel = 16, spec.model.context = 16;
        spec.data.source = "task", spec.data.task = "copy", spec.data.taskAlphabet = 8;
        spec.train.batch = 4, spec.train.steps = 1000, spec.train.warmup = 2, spec.train.threads = 1;
        auto driver = RunDriver::create(spec);
        const QString file = m_runs.filePath("fails.attnrun");
        driver->recordTo(file.toStdString());
        driver->trainer().setStepObserver([](const StepRecord& r) {
            if (r.step == 6) throw Error("the trainer gave up at step 6");
        });
        const int id = w.sessions().startDriver(std::move(driver));
        const RunData& run = *w.registry().find(id);
        QTRY_VERIFY_WITH_TIMEOUT(w.sessions().session(id)->hasFinished(), 20000);
        QCOMPARE(run.status, RunStatus::Failed);
        QCOMPARE(run.statusMessage, std::string("the trainer gave up at step 6"));
        QCOMPARE(run.statusText(), QString("failed: the trainer gave up at step 6"));
        QCOMPARE(run.filePath, file);
        RunReader reader(file.toStdString()); // flushed before the session says it finished
        QCOMPARE(reader.status().status, RunStatus::Failed);
        QCOMPARE(reader.status().message, std::string("the trainer gave up at step 6"));
        QCOMPARE(reader.steps().size(), std::size_t(6));
    }

    void largeRunDecodesSnapshotsBehindItsCurves() {
        // A recorded run, opened as if it were large (threshold 0): curves at once, snapshots behind.
        const QString file = m_runs.filePath("backfill.attnrun");
        {
            RunSpec spec;
            spec.model.layers = 1, spec.model.heads = 2, spec.model.dModel = 16, spec.model.context = 16;
            spec.data.source = "task", spec.data.task = "copy", spec.data.taskAlphabet = 8;
            spec.train.batch = 4, spec.train.steps = 40, spec.train.recordEvery = 2, spec.train.threads = 1;
            auto driver = RunDriver::create(spec);
            driver->recordTo(file.toStdString());
            driver->start();
            QCOMPARE(driver->wait().status, RunStatus::Finished);
        }
        const RunData eager = loadRunFile(file);
        QCOMPARE(eager.snapshots.size(), std::size_t(21));
        RunData lazy = loadRunFile(file, /*backgroundFrom=*/0);
        QVERIFY(lazy.snapshots.empty());
        QCOMPARE(lazy.pendingSnapshots.size(), std::size_t(21));
        QCOMPARE(lazy.steps.size(), std::size_t(40));
        MainWindow w;
        const int id = w.registry().add(std::move(lazy));
        const RunData& run = *w.registry().find(id);
        QTRY_VERIFY_WITH_TIMEOUT(!w.registry().isDecoding(id), 20000);
        QCOMPARE(run.snapshots.size(), eager.snapshots.size());
        for (std::size_t i = 0; i < run.snapshots.size(); ++i) {
            QCOMPARE(run.snapshots[i]->step, eager.snapshots[i]->step);
            QCOMPARE(run.snapshots[i]->entropy, eager.snapshots[i]->entropy);
            QVERIFY(run.snapshots[i]->mapsOmitted && run.snapshots[i]->attention.empty()); // metrics only
        }
        // The maps come through the map cache, read off the GUI thread, equal to the eager decode.
        SnapshotMapCache& cache = w.registry().mapCache();
        const SnapshotPtr last = run.snapshots.back();
        QTRY_VERIFY_WITH_TIMEOUT(cache.withMaps(run.filePath, last) != nullptr, 20000);
        QVERIFY(cache.withMaps(run.filePath, last)->attention == eager.snapshots.back()->attention);
        QVERIFY(cache.heldBytes() >= SnapshotMapCache::bytesOf(*eager.snapshots.back()));
        // The budget bounds what stays: with room for one snapshot, reading a second pushes the first out.
        const std::size_t one = SnapshotMapCache::bytesOf(*eager.snapshots.back());
        // Nothing on screen asks for maps meanwhile: the attention tab showing the last snapshot would take
        // the one place back each time the first arrives.
        w.registry().setSelected(0);
        cache.setBudgetBytes(one);
        const SnapshotPtr first = run.snapshots.front();
        QTRY_VERIFY_WITH_TIMEOUT(cache.withMaps(run.filePath, first) != nullptr, 20000);
        QCOMPARE(cache.heldBytes(), one);
        QVERIFY(!cache.withMaps(run.filePath, last)); // evicted: read again
        w.registry().setSelected(id);
        // The attention tab shows the maps of the selected run's snapshot once they are read.
        QTRY_VERIFY_WITH_TIMEOUT(w.attentionPanel()->shownSnapshot() &&
                                     !w.attentionPanel()->shownSnapshot()->attention.empty(),
                                 20000);
        // "Top heads by sink score" outlines as many heads as a layer has, none scoring below an unmarked
        // one.
        auto* mark = w.attentionPanel()->findChild<QComboBox*>("attentionMarkTop");
        QVERIFY(mark);
        mark->setCurrentIndex(mark->findData(QStringLiteral("sink")));
        const SnapshotPtr shown = w.attentionPanel()->shownSnapshot();
        const std::vector<bool>& marked = w.attentionPanel()->grid()->grid()->marked();
        QCOMPARE(marked.size(), shown->sinkScore.size());
        QCOMPARE(int(std::count(marked.begin(), marked.end(), true)), shown->heads);
        for (std::size_t a = 0; a < marked.size(); ++a)
            for (std::size_t b = 0; b < marked.size(); ++b)
                if (marked[a] && !marked[b]) QVERIFY(shown->sinkScore[a] >= shown->sinkScore[b]);
        // Closing a run while it decodes stops its worker (no crash, no late delivery).
        const int again = w.registry().add(loadRunFile(file, 0));
        w.sessions().close(again);
        QVERIFY(!w.registry().find(again));
    }

    // Not a timed test: prints how long a large run takes to open and paint its curves. Set
    // ATTNSCOPE_LARGE_RUN_MB (e.g. 300) to run it; docs/inspect.md reports the numbers.
    void measureOpeningALargeRun() {
        const int megabytes = qEnvironmentVariableIntValue("ATTNSCOPE_LARGE_RUN_MB");
        if (megabytes <= 0) QSKIP("set ATTNSCOPE_LARGE_RUN_MB to measure");
        // ATTNSCOPE_LARGE_RUN_FILE: reuse a file an earlier measurement wrote (writing takes minutes).
        QString file = qEnvironmentVariable("ATTNSCOPE_LARGE_RUN_FILE");
        QElapsedTimer clock;
        clock.start();
        test::LargeRunInfo info;
        if (file.isEmpty() || !QFile::exists(file)) {
            if (file.isEmpty()) file = m_runs.filePath("large.attnrun");
            info = test::writeLargeRun(file.toStdString(), std::uint64_t(megabytes) << 20);
            qInfo("wrote %.0f MB in %.1f s", info.bytes / 1048576.0, clock.elapsed() / 1000.0);
        } else {
            const RunReader reader(file.toStdString());
            info = {std::uint64_t(QFileInfo(file).size()), reader.steps().back().step,
                    int(reader.snapshotSteps().size())};
        }
        qInfo("%.0f MB: %d steps, %d snapshots", info.bytes / 1048576.0, info.steps, info.snapshots);
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        clock.restart();
        const int id = w.openRunFile(file);
        QVERIFY(id);
        const qint64 opened = clock.elapsed();
        w.trainingView()->flushUpdates();
        w.repaint();
        QCoreApplication::processEvents();
        const qint64 painted = clock.elapsed();
        QVERIFY(w.trainingView()->lossChart()->visiblePointCount() >= std::size_t(info.steps));
        QTRY_VERIFY_WITH_TIMEOUT(!w.registry().isDecoding(id), 600000);
        const qint64 decoded = clock.elapsed();
        QCOMPARE(w.registry().find(id)->snapshots.size(), std::size_t(info.snapshots));
        qInfo("open %lld ms, curves painted %lld ms, all %d snapshots decoded %lld ms", opened, painted,
              info.snapshots, decoded);
    }
};

QTEST_MAIN(TestGuiSession)
#include "tst_gui_session.moc"
