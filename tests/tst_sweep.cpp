// Sweeps (core/sweep, attnscope-cli sweep): grid expansion, the summary's arithmetic (LR sensitivity on
// hand-made numbers), resuming after a kill without redoing finished cells, and the CLI end to end.
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/sweep/cell_run.h"
#include "core/sweep/sweep_presets.h"
#include "core/sweep/sweep_runner.h"
#include "core/sweep/sweep_summary.h"
#include "core/util/error.h"
#include "helpers/tiny_sweep.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <filesystem>
#include <thread>

using namespace attnscope;
using nlohmann::json;

namespace {

// Seconds-sized cells: 1 layer, d 16, the copy task (helpers/tiny_sweep.h).
json tinyBase(int steps = 30) {
    return test::tinySweepBase(steps);
}

SweepSpec tinySweep(int steps = 30) {
    return test::tinySweepSpec(steps, {1e-3, 1e-2});
}

std::vector<double> losses(const std::string& path) {
    std::vector<double> out;
    for (const StepRecord& r : RunReader(path).steps()) out.push_back(r.loss);
    return out;
}

std::filesystem::file_time_type mtime(const std::string& path) {
    return std::filesystem::last_write_time(path);
}

} // namespace

class TestSweep : public QObject {
    Q_OBJECT
private slots:
    void gridExpandsEveryCombination();
    void badSweepsAreRefusedWithTheKey();
    void presetsExpand();
    void meanSdAndLrSensitivityOnHandMadeNumbers();
    void summaryAggregatesOverSeeds();
    void resumesAfterAKillWithoutRedoingFinishedCells();
    void cancelStopsCleanlyAndRunsOn();
    void otherSettingsInTheFolderAreRefused();
    void cliEndToEnd();
};

void TestSweep::gridExpandsEveryCombination() {
    const SweepSpec spec = tinySweep();
    QCOMPARE(spec.cellCount(), std::size_t(8));
    const std::vector<SweepCell> cells = expandGrid(spec);
    QCOMPARE(cells.size(), std::size_t(8));
    // First axis slowest, last fastest.
    QCOMPARE(cells[0].id, std::string("base_lr0.001_seed1"));
    QCOMPARE(cells[1].id, std::string("base_lr0.001_seed2"));
    QCOMPARE(cells[2].id, std::string("base_lr0.01_seed1"));
    QCOMPARE(cells[7].id, std::string("qk_lr0.01_seed2"));
    QCOMPARE(cells[5].spec.name, std::string("tiny/qk_lr0.001_seed2"));
    for (const SweepCell& c : cells) {
        QCOMPARE(c.spec.model.qkNorm, c.labels[0] == "qk");
        QCOMPARE(c.spec.train.lr, c.labels[1] == "0.001" ? 1e-3 : 1e-2);
        QCOMPARE(c.spec.train.seed, std::uint64_t(c.labels[2] == "1" ? 1 : 2));
        QCOMPARE(c.spec.train.steps, 30); // the base reaches every cell
        QCOMPARE(c.spec.model.dModel, 16);
    }
    QCOMPARE(spec.axisSetting("train.lr"), 1);
    QCOMPARE(spec.axisSetting("train.seed"), 2);
    // JSON round trip.
    QCOMPARE(toJson(sweepSpecFromJson(toJson(spec))), toJson(spec));
}

void TestSweep::badSweepsAreRefusedWithTheKey() {
    auto fails = [](const json& j, const char* needle) {
        try {
            expandGrid(sweepSpecFromJson(j));
        } catch (const Error& e) {
            if (std::string(e.what()).find(needle) != std::string::npos) return true;
            qWarning() << e.what();
            return false;
        }
        return false;
    };
    const json axis{{"field", "train.lr"}, {"values", {1e-3}}};
    QVERIFY(fails(json{{"axes", {{{"field", "train.lr_typo"}, {"values", {1}}}}}}, "lr_typo"));
    QVERIFY(fails(json{{"axes", {{{"field", "lr"}, {"values", {1}}}}}}, "section.key"));
    QVERIFY(fails(json{{"axes", {{{"field", "train.lr"}, {"values", {1e-3, 1e-3}}}}}}, "twice"));
    QVERIFY(fails(json{{"axes", json::array()}}, "axes"));
    QVERIFY(fails(json{{"axes", {axis}}, {"bogus", 1}}, "bogus"));
    QVERIFY(fails(json{{"axes", {axis}}, {"base_preset", "nope"}}, "nope"));
    QVERIFY(fails(json{{"axes", {{{"field", "model.heads"}, {"values", {3}}}}}}, "not a valid run"));
    QVERIFY(fails(json{{"axes", {{{"field", "train.lr"}, {"values", {"fast"}}}}}}, "train.lr"));
}

void TestSweep::presetsExpand() {
    const SweepPreset* lr = findSweepPreset("lr-sensitivity");
    QVERIFY(lr);
    const std::vector<SweepCell> cells = expandGrid(lr->spec);
    QCOMPARE(cells.size(), std::size_t(75)); // 5 variants × 5 LRs × 3 seeds
    QCOMPARE(cells.front().spec.train.lr, 1e-3);
    QVERIFY(std::abs(cells[14].spec.train.lr - 0.1) < 1e-15);
    QVERIFY(std::abs(cells[3].spec.train.lr - std::sqrt(10.0) * 1e-3) < 1e-15); // log-spaced
    QVERIFY(findSweepPreset("value-residual-seeds"));
    QCOMPARE(expandGrid(findSweepPreset("value-residual-seeds")->spec).size(), std::size_t(6));
}

void TestSweep::meanSdAndLrSensitivityOnHandMadeNumbers() {
    const Stat s = meanSd({1.0, 2.0, 3.0, NAN});
    QCOMPARE(s.n, 3);
    QCOMPARE(s.mean, 2.0);
    QCOMPARE(s.sd, 1.0);
    QVERIFY(std::isnan(meanSd({4.0}).sd));
    // ℓ = 3.0, 2.5, 2.0, (diverged), 5.0 (worse than init); ℓ0 = 4 everywhere; ℓ* = 2.0.
    // Terms: 1.0, 0.5, 0.0, ℓ0 − ℓ* = 2.0, min(5, 4) − 2 = 2.0 → mean 1.1.
    const double sens =
        lrSensitivity({3.0, 2.5, 2.0, NAN, 5.0}, {4, 4, 4, 4, 4}, {false, false, false, true, false});
    QVERIFY(std::abs(sens - 1.1) < 1e-12);
    QCOMPARE(lrSensitivity({2.0, 2.0}, {4, 4}, {false, false}), 0.0);       // flat: insensitive
    QVERIFY(std::isnan(lrSensitivity({NAN, NAN}, {4, 4}, {true, true})));   // every point diverged
    QVERIFY(std::isnan(lrSensitivity({2.0, NAN}, {4, 4}, {false, false}))); // a missing point
}

void TestSweep::summaryAggregatesOverSeeds() {
    const SweepSpec spec = tinySweep();
    const std::vector<SweepCell> cells = expandGrid(spec);
    std::vector<CellResult> results(cells.size());
    // Val loss = 2 + variant + lr index + 0.1·seed; the qk variant diverges at the high LR for seed 2.
    for (std::size_t i = 0; i < cells.size(); ++i) {
        CellResult& r = results[i];
        r.complete = true;
        r.initLoss = 4.0;
        r.finalValLoss =
            2.0 + double(cells[i].point[0]) + double(cells[i].point[1]) + 0.1 * double(cells[i].point[2] + 1);
        r.maxLogit = 10.0 * double(cells[i].point[2] + 1);
        if (cells[i].id == "qk_lr0.01_seed2") r.diverged = true, r.finalValLoss = NAN;
    }
    const SweepSummary s = summarize(spec, cells, results);
    QCOMPARE(s.groups.size(), std::size_t(4));
    QCOMPARE(s.groups[0].labels, (std::vector<std::string>{"base", "0.001"}));
    QVERIFY(std::abs(s.groups[0].finalValLoss.mean - 2.15) < 1e-12);
    QVERIFY(std::abs(s.groups[0].finalValLoss.sd - std::sqrt(0.005)) < 1e-12);
    QCOMPARE(s.groups[0].maxLogit.mean, 15.0);
    QCOMPARE(s.groups[3].diverged, 1);
    QCOMPARE(s.sensitivity.size(), std::size_t(2));
    // base, each seed: ℓ = {2.1, 3.1} or {2.2, 3.2}: sensitivity (0 + 1)/2 = 0.5 for both seeds.
    QVERIFY(std::abs(s.sensitivity[0].sensitivity.mean - 0.5) < 1e-12);
    QVERIFY(std::abs(s.sensitivity[0].sensitivity.sd) < 1e-12);
    QCOMPARE(s.sensitivity[0].bestLr, 1e-3);
    // qk seed 1: ℓ = {3.1, 4.1→min(4.1, 4) = 4}: (0 + 0.9)/2 = 0.45; seed 2: {3.2, diverged → 4 − 3.2}: 0.4.
    QCOMPARE(s.sensitivity[1].perSeed.size(), std::size_t(2));
    QVERIFY(std::abs(s.sensitivity[1].perSeed[0] - 0.45) < 1e-12);
    QVERIFY(std::abs(s.sensitivity[1].perSeed[1] - 0.4) < 1e-12);
    QCOMPARE(s.sensitivity[1].diverged, 1);
    // The CSVs carry the same numbers.
    QVERIFY2(QString::fromStdString(sensitivityCsv(s)).contains("\nqk,0.42"), sensitivityCsv(s).c_str());
    QVERIFY(QString::fromStdString(groupsCsv(s))
                .startsWith("variant,lr,cells,complete,diverged,final_loss_mean"));
    QCOMPARE(QString::fromStdString(cellsCsv(s)).count('\n'), 9);
}

void TestSweep::resumesAfterAKillWithoutRedoingFinishedCells() {
    QTemporaryDir whole, killed;
    const SweepSpec spec =
        sweepSpecFromJson(json{{"name", "kill"},
                               {"base", tinyBase(40)},
                               {"axes", {{{"field", "train.seed"}, {"values", {1, 2, 3}}}}}});
    SweepRunner reference(spec, whole.path().toStdString(), {1, 1, 0.1});
    const SweepProgress done = reference.run();
    QCOMPARE(done.done, 3);

    // The state a kill -9 leaves: cell 1 complete, cell 2 past its checkpoint at step 20 (steps to 25
    // recorded, status still "training"), cell 3 created but before its first checkpoint.
    SweepRunner runner(spec, killed.path().toStdString(), {1, 1, 0.1});
    std::filesystem::copy_file(reference.cellPath(0), runner.cellPath(0));
    std::filesystem::copy_file(reference.cellPath(1), runner.cellPath(1));
    std::filesystem::copy_file(reference.cellPath(2), runner.cellPath(2));
    {
        RunWriter w = RunWriter::openForAppend(runner.cellPath(1));
        w.truncateAfter(25); // keeps the checkpoint of step 20 and the steps to 25
        w.setStatus(RunStatus::Training, 25);
        RunWriter w3 = RunWriter::openForAppend(runner.cellPath(2));
        w3.truncateAfter(5); // no checkpoint left
        w3.setStatus(RunStatus::Training, 5);
    }
    QCOMPARE(RunReader(runner.cellPath(1)).checkpointSteps(), (std::vector<int>{10, 20}));
    QCOMPARE(inspectCell(runner.cellPath(0), runner.cells()[0].spec).kind, CellInspection::Complete);
    QCOMPARE(inspectCell(runner.cellPath(1), runner.cells()[1].spec).kind, CellInspection::Resume);
    QCOMPARE(inspectCell(runner.cellPath(2), runner.cells()[2].spec).kind, CellInspection::Fresh);
    const auto before = mtime(runner.cellPath(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));

    std::vector<int> trained(3, 0);
    runner.setProgressCallback([&](const SweepProgress& p) {
        QCOMPARE(p.total, 3);
        QVERIFY(p.stepsDone <= p.stepsTotal);
    });
    const SweepProgress after = runner.run();
    QCOMPARE(after.done, 3);
    QCOMPARE(after.cells[0].state, CellState::Complete); // skipped, not retrained
    QCOMPARE(after.cells[1].state, CellState::Finished);
    QVERIFY(after.cells[1].resumed);
    QCOMPARE(after.cells[2].state, CellState::Finished);
    QVERIFY(mtime(runner.cellPath(0)) == before);
    // Resumed and restarted cells end bit-identical to the uninterrupted sweep.
    for (std::size_t i = 0; i < 3; ++i) QCOMPARE(losses(runner.cellPath(i)), losses(reference.cellPath(i)));
    bool note = false;
    for (const Event& e : RunReader(runner.cellPath(1)).events())
        note = note || e.message.find("resumed from the checkpoint of step 20") != std::string::npos;
    QVERIFY(note);
    QCOMPARE(readSweepManifest(killed.path().toStdString()).name, std::string("kill"));
}

void TestSweep::cancelStopsCleanlyAndRunsOn() {
    QTemporaryDir dir;
    const SweepSpec spec = tinySweep(60);
    SweepRunner runner(spec, dir.path().toStdString(), {2, 1, 0.05});
    runner.setProgressCallback([&](const SweepProgress& p) {
        if (p.stepsDone > 0) runner.cancel();
    });
    const SweepProgress stopped = runner.run();
    QVERIFY(stopped.cancelled);
    QVERIFY(stopped.done < 8);
    SweepRunner again(spec, dir.path().toStdString(), {2, 1, 0.05});
    const SweepProgress done = again.run();
    QCOMPARE(done.done, 8);
    QCOMPARE(done.failed, 0);
    const SweepSummary s = summarizeSweep(spec, dir.path().toStdString());
    for (const CellResult& c : s.cells) {
        QVERIFY(c.complete);
        QCOMPARE(c.step, 60);
        QVERIFY(std::isfinite(c.finalValLoss) && std::isfinite(c.maxLogit) && std::isfinite(c.minEntropy));
        QVERIFY(c.initLoss > c.finalValLoss); // the copy task is learnable in 60 steps
    }
}

void TestSweep::otherSettingsInTheFolderAreRefused() {
    QTemporaryDir dir;
    const std::string folder = dir.path().toStdString();
    SweepRunner(tinySweep(10), folder, {2, 1, 0.1}).run();
    SweepSpec edited = tinySweep(10);
    edited.base["train"]["batch"] = 2;
    try {
        SweepRunner(edited, folder).run();
        QFAIL("an edited sweep ran over the old one");
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("other settings") != std::string::npos, e.what());
    }
}

void TestSweep::cliEndToEnd() {
    QString cli = qEnvironmentVariable("ATTNSCOPE_CLI");
    if (cli.isEmpty()) cli = QCoreApplication::applicationDirPath() + "/../cli/attnscope-cli";
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable("attnscope-cli not found at " + cli));
    QTemporaryDir dir;
    const QString folder = dir.filePath("grid");
    const QStringList args{
        "sweep",
        "--grid",
        "train.lr=1e-3,1e-2;train.seed=1,2",
        "--name",
        "cli",
        "--set",
        "model.layers=1;model.heads=2;model.d_model=16;model.context=16;train.batch=4;"
        "train.steps=150;train.eval_every=10;train.record_every=50;train.checkpoint_every=10;"
        "train.probe_length=8;data.source=task;data.task=copy",
        "--parallel",
        "1",
        "--out",
        folder};
    // kill -9 as soon as the second cell has a checkpoint: the first is then complete.
    QProcess p;
    p.start(cli, args);
    QVERIFY(p.waitForStarted());
    const QString second = folder + "/lr0.001_seed2.attnrun";
    bool killedMidCell = false;
    for (int i = 0; i < 3000 && p.state() == QProcess::Running; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!QFileInfo::exists(second)) continue;
        try {
            if (!RunReader(second.toStdString()).checkpointSteps().empty()) {
                p.kill(); // SIGKILL
                killedMidCell = true;
                break;
            }
        } catch (const Error&) {
        }
    }
    p.waitForFinished();
    // The tiny cells are fast: the second may have finished between the check and the kill.
    if (killedMidCell) killedMidCell = RunReader(second.toStdString()).status().status != RunStatus::Finished;
    const std::string first = (folder + "/lr0.001_seed1.attnrun").toStdString();
    QVERIFY(std::filesystem::exists(first));
    const auto firstTime = mtime(first);
    const QString stderrText = QString::fromUtf8(p.readAllStandardError());
    if (!killedMidCell)
        qWarning() << "the sweep ended before the kill; only the skip is checked" << stderrText;

    QProcess again;
    again.start(cli, args);
    QVERIFY(again.waitForFinished(120000));
    const QString out = QString::fromUtf8(again.readAllStandardOutput());
    const QString err = QString::fromUtf8(again.readAllStandardError());
    QVERIFY2(again.exitCode() == 0, qPrintable(err));
    QVERIFY2(err.contains("lr0.001_seed1") == false || !err.contains("lr0.001_seed1 running"),
             qPrintable(err));
    if (killedMidCell) QVERIFY2(err.contains("lr0.001_seed2 running (resuming from step"), qPrintable(err));
    QVERIFY2(err.contains("sweep: 4/4 cells done"), qPrintable(err));
    QVERIFY(mtime(first) == firstTime); // the finished cell was not redone
    QVERIFY2(out.contains("LR sensitivity"), qPrintable(out));
    QVERIFY(out.contains("0.001") && out.contains("± "));
    for (const char* csv :
         {"/summary_cells.csv", "/summary_groups.csv", "/lr_sensitivity.csv", "/sweep.json"})
        QVERIFY2(QFileInfo::exists(folder + csv), csv);
    for (const char* cell : {"lr0.001_seed1", "lr0.001_seed2", "lr0.01_seed1", "lr0.01_seed2"}) {
        const RunReader r((folder + "/" + cell + ".attnrun").toStdString());
        QCOMPARE(r.status().status, RunStatus::Finished);
        QCOMPARE(r.steps().back().step, 150);
    }
    // --summary reads the folder again; bad usage is one line with status 2.
    QProcess summary;
    summary.start(cli, {"sweep", "--summary", folder});
    QVERIFY(summary.waitForFinished(60000));
    QCOMPARE(summary.exitCode(), 0);
    QProcess bad;
    bad.start(cli, {"sweep", "--grid", "train.lr"});
    QVERIFY(bad.waitForFinished(60000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY(QString::fromUtf8(bad.readAllStandardError()).startsWith("attnscope-cli: option --grid"));
}

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sweep.moc"
