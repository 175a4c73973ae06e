// The Sweeps page: a real sweep folder trained by core's SweepRunner in the test (seconds-sized
// cells, one LR high enough to diverge) drawn as the LR-sensitivity plot — one line per variant with one
// point per LR, the seed band, diverged cells marked — and a table whose LR sensitivity is summarizeSweep's;
// the same numbers from a folder that holds only its CSV summary; following a sweep while it trains;
// double-click opening a cell's run; the stabilisers lesson's open action; and a sweep started from the app's
// dialog.
#include "core/sweep/sweep_runner.h"
#include "core/sweep/sweep_summary.h"
#include "figures/palette.h"
#include "gui/app/main_window.h"
#include "gui/lessons/lesson_opener.h"
#include "gui/lessons/lessons_controller.h"
#include "gui/lessons/lessons_panel.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/sweeps/new_sweep_dialog.h"
#include "gui/sweeps/sweep_charts.h"
#include "gui/sweeps/sweep_follower.h"
#include "gui/sweeps/sweep_job.h"
#include "gui/sweeps/sweep_table_model.h"
#include "gui/sweeps/sweeps_controller.h"
#include "gui/sweeps/sweeps_page.h"
#include "gui/views/training_view.h"
#include "gui/widgets/page_switcher.h"
#include "helpers/gui/test_settings.h"
#include "helpers/tiny_sweep.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <qcustomplot.h>
#include <thread>

using namespace attnscope;
using namespace attnscope::gui;
using nlohmann::json;

namespace {

// 2 variants × 3 LRs × 2 seeds; LR 1000 diverges within a few steps (NaN loss).
SweepSpec tinySweep(int steps = 30) {
    return test::tinySweepSpec(steps, {1e-3, 1e-2, 1e3});
}

void runSweep(const SweepSpec& spec, const QString& folder) {
    SweepRunner runner(spec, folder.toStdString());
    const SweepProgress p = runner.run();
    QCOMPARE(p.done, p.total);
}

bool waitLoaded(SweepsPage& page, int ms = 10000) {
    QSignalSpy spy(&page, &SweepsPage::loaded);
    return spy.wait(ms);
}

} // namespace

class TestGuiSweeps : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        test::useIsolatedSettings();
        QSettings().setValue("lessons/startPageSeen", true);
        QVERIFY(m_dir.isValid());
        m_folder = m_dir.filePath("tiny");
        runSweep(tinySweep(), m_folder);
    }

    void plotsOneLinePerVariantWithBandAndDiverged() {
        SweepsPage page;
        page.openFolder(m_folder);
        QVERIFY(waitLoaded(page));
        QVERIFY(page.data());
        QCOMPARE(page.data()->total(), 12);
        QCOMPARE(page.data()->done(), 12);
        QVERIFY(page.progressLabel()->text().contains("12 of 12 cells done"));
        for (QCustomPlot* plot : {page.charts()->lossPlot(), page.charts()->logitPlot()}) {
            const auto means = SweepCharts::graphs(plot, "mean");
            const auto upper = SweepCharts::graphs(plot, "band-upper");
            const auto lower = SweepCharts::graphs(plot, "band-lower");
            const auto diverged = SweepCharts::graphs(plot, "diverged");
            QCOMPARE(means.size(), std::size_t(2)); // base, qk
            QCOMPARE(means[0]->name(), QString("base"));
            QCOMPARE(means[1]->name(), QString("qk"));
            for (std::size_t v = 0; v < 2; ++v) {
                // Two LRs trained, the third diverged in both seeds: two points on the line, a cross at 1000.
                QCOMPARE(means[v]->dataCount(), 2);
                QCOMPARE(upper[v]->dataCount(), 2);
                QCOMPARE(upper[v]->channelFillGraph(), lower[v]);
                QVERIFY(upper[v]->brush().style() != Qt::NoBrush);
                QCOMPARE(diverged[v]->dataCount(), 1);
                QCOMPARE(diverged[v]->data()->begin()->key, 1e3);
                for (int i = 0; i < 2; ++i) // the band holds the mean: ± sd of two seeds
                    QVERIFY(lower[v]->data()->at(i)->value <= means[v]->data()->at(i)->value &&
                            means[v]->data()->at(i)->value <= upper[v]->data()->at(i)->value);
                QVERIFY(upper[v]->data()->at(1)->value > lower[v]->data()->at(1)->value); // seeds differ
            }
            QCOMPARE(plot->xAxis->scaleType(), QCPAxis::stLogarithmic);
        }
        QCOMPARE(page.charts()->logitPlot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        // On the loss chart a diverged cell sits at ℓ0, the loss the sensitivity counts it as.
        const SweepSummary summary = summarizeSweep(tinySweep(), m_folder.toStdString());
        double init = 0;
        int n = 0;
        for (const CellResult& c : summary.cells)
            if (c.labels[0] == "base" && c.labels[1] == tinySweep().axes[1].labels[2])
                init += c.initLoss, ++n;
        QCOMPARE(n, 2);
        const double crossY =
            SweepCharts::graphs(page.charts()->lossPlot(), "diverged")[0]->data()->begin()->value;
        QVERIFY(std::abs(crossY - init / n) < 1e-9);
        // Each chart explains itself, with the definition as a tooltip.
        QVERIFY(page.charts()->lossPlot()->toolTip().contains("min(ℓ(η), ℓ0) − ℓ*"));
        QVERIFY(page.findChild<QLabel*>("caption-sweep-lr-loss"));
        QVERIFY(page.findChild<QLabel*>("caption-sweep-lr-logit"));
    }

    void tableMatchesSummarizeSweep() {
        SweepsPage page;
        page.openFolder(m_folder);
        QVERIFY(waitLoaded(page));
        checkTable(page, summarizeSweep(tinySweep(), m_folder.toStdString()));
        // A folder with only its manifest and CSV summary (as the shipped sweep): the same numbers.
        const QString csvOnly = m_dir.filePath("csv-only");
        QVERIFY(QDir().mkpath(csvOnly));
        QVERIFY(QFile::copy(m_folder + "/sweep.json", csvOnly + "/sweep.json"));
        const SweepSummary summary = summarizeSweep(tinySweep(), m_folder.toStdString());
        std::ofstream(csvOnly.toStdString() + "/summary_cells.csv") << cellsCsv(summary);
        page.openFolder(csvOnly);
        QVERIFY(waitLoaded(page));
        QVERIFY(!page.data()->hasRunFiles());
        QCOMPARE(page.data()->done(), 12);
        checkTable(page, summary);
    }

    void followsASweepWhileItTrains() {
        const QString folder = m_dir.filePath("live");
        SweepSpec spec = tinySweep(60);
        spec.axes[1].values = {1e-3, 1e-2}; // 8 cells
        spec.axes[1].labels = {"0.001", "0.01"};
        SweepsPage page;
        page.follower()->setInterval(50);
        SweepOptions options;
        options.parallel = 1;
        SweepRunner runner(spec, folder.toStdString(), options);
        std::atomic<bool> go{false};
        runner.setProgressCallback([&](const SweepProgress&) { // holds the first cell until the lock is seen
            while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        });
        std::thread worker([&] { runner.run(); });
        const auto release = qScopeGuard([&] { // also when a check below fails
            go = true;
            if (worker.joinable()) worker.join();
        });
        QTRY_VERIFY_WITH_TIMEOUT(isSweepFolder(folder), 10000);
        // The runner holds the folder's lock while it trains (this process: its pid), and not after.
        QTRY_COMPARE(sweepLockHolder(folder), QString("pid %1").arg(QCoreApplication::applicationPid()));
        go = true;
        page.openFolder(folder);
        std::vector<int> seen;
        connect(&page, &SweepsPage::loaded, &page,
                [&] { seen.push_back(page.data() ? page.data()->done() : -1); });
        QTRY_VERIFY_WITH_TIMEOUT(page.data() && page.data()->allDone(), 30000);
        worker.join();
        QCOMPARE(sweepLockHolder(folder), QString()); // released
        QVERIFY(seen.size() >= 2);                    // updated as cells finished, not only at the end
        QVERIFY(seen.front() < 8);
        QCOMPARE(seen.back(), 8);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QVERIFY(page.progressLabel()->text().contains("8 of 8 cells done"));
        QTRY_VERIFY(!page.follower()->isPolling()); // done: polling stops
        QCOMPARE(SweepCharts::graphs(page.charts()->lossPlot(), "mean")[0]->dataCount(), 2);
    }

    void sweepWithoutLrAxisShowsSeedsPerVariant() {
        const QString folder = m_dir.filePath("seeds");
        SweepSpec spec = tinySweep(20);
        spec.axes.erase(spec.axes.begin() + 1); // variants × seeds, as value-residual-seeds
        runSweep(spec, folder);
        SweepsPage page;
        page.openFolder(folder);
        QVERIFY(waitLoaded(page));
        QCustomPlot* plot = page.charts()->lossPlot();
        QCOMPARE(plot->xAxis->scaleType(), QCPAxis::stLinear);
        const auto seeds = SweepCharts::graphs(plot, "seeds");
        const auto means = SweepCharts::graphs(plot, "mean");
        QCOMPARE(seeds.size(), std::size_t(2));
        QCOMPARE(means.size(), std::size_t(2));
        QCOMPARE(seeds[0]->dataCount(), 2); // one circle per seed
        const SweepSummary summary = summarizeSweep(spec, folder.toStdString());
        QCOMPARE(means[0]->data()->begin()->value, summary.groups[0].finalValLoss.mean);
        QVERIFY(page.findChild<QLabel*>("caption-sweep-variant-loss"));
        QVERIFY(page.table()->isColumnHidden(SweepTableModel::Sensitivity));
    }

    void stopThenResumeFromThePage() {
        const QString folder = m_dir.filePath("stop-resume");
        SweepSpec spec = tinySweep(200);
        spec.axes[1].values = {1e-3};
        spec.axes[1].labels = {"0.001"};
        SweepsPage page;
        page.follower()->setInterval(50);
        SweepOptions options;
        options.parallel = 1;
        QString error;
        QVERIFY2(page.job()->start(spec, folder, options, &error), qPrintable(error));
        page.openFolder(folder);
        QSignalSpy finished(page.job(), &SweepJob::finished);
        QTRY_VERIFY_WITH_TIMEOUT(page.job()->lastProgress().stepsDone > 0, 10000);
        page.stop();
        QVERIFY(finished.count() == 1 || finished.wait(10000));
        const auto progress = finished.at(0).at(0).value<SweepProgress>();
        QVERIFY(progress.cancelled);
        QVERIFY(progress.done < 4);
        QTRY_VERIFY(page.data() && page.data()->done() == progress.done);
        QPushButton* resume = nullptr;
        for (QPushButton* b : page.findChildren<QPushButton*>())
            if (b->text() == "Resume") resume = b;
        QVERIFY(resume && !resume->isHidden()); // a partial folder offers Resume
        resume->click();
        QVERIFY(page.job()->isRunning());
        QVERIFY(finished.wait(30000));
        QVERIFY(!finished.at(1).at(0).value<SweepProgress>().cancelled);
        QTRY_VERIFY_WITH_TIMEOUT(page.data()->allDone(), 10000);
        QVERIFY(resume->isHidden());
    }

    void doubleClickOpensTheCellsRun() {
        MainWindow window;
        window.openRunFile(m_folder); // a sweep folder opens on the Sweeps page
        SweepsPage* page = window.sweeps()->page();
        QCOMPARE(window.tabs()->currentWidget(), page);
        if (!page->data()) QVERIFY(waitLoaded(*page));
        page->findChild<QCheckBox*>()->setChecked(true); // one row per cell
        QCOMPARE(page->model()->rowCount(), 12);
        const QModelIndex index = page->proxy()->index(0, 0);
        emit page->table()->doubleClicked(index);
        QCOMPARE(int(window.registry().runs().size()), 1);
        const int cell = page->model()->rowCells(page->proxy()->mapToSource(index).row()).front();
        QCOMPARE(window.registry().selected()->filePath, page->data()->runPaths[std::size_t(cell)]);
        QCOMPARE(window.tabs()->currentWidget(), window.trainingView());
        emit page->table()->doubleClicked(index); // reused, not opened twice
        QCOMPARE(int(window.registry().runs().size()), 1);
    }

    // A cell opened from the page takes its variant's colour, the colour of its curve on the charts (here
    // the second variant's: not the colour the first open run would get anyway), and keeps it when closed
    // and opened again.
    void cellOpenedFromThePageTakesItsCurveColour() {
        MainWindow window;
        window.openRunFile(m_folder);
        SweepsPage* page = window.sweeps()->page();
        if (!page->data()) QVERIFY(waitLoaded(*page));
        page->findChild<QCheckBox*>()->setChecked(true); // one row per cell
        QModelIndex index;
        for (int row = 0; row < page->proxy()->rowCount() && !index.isValid(); ++row) {
            const QModelIndex candidate = page->proxy()->index(row, 0);
            const int cell = page->model()->rowCells(page->proxy()->mapToSource(candidate).row()).front();
            if (page->data()->cells[std::size_t(cell)].labels[0] == "qk") index = candidate;
        }
        QVERIFY(index.isValid());
        emit page->table()->doubleClicked(index);
        const QColor curve = SweepCharts::graphs(page->charts()->lossPlot(), "mean")[1]->pen().color();
        QCOMPARE(SweepCharts::graphs(page->charts()->logitPlot(), "mean")[1]->pen().color(), curve);
        QVERIFY(curve != runPalette()[0]);
        const RunData* run = window.registry().selected();
        QVERIFY(run);
        QCOMPARE(run->color, curve);
        const QString path = run->filePath;
        window.registry().remove(run->id);
        const int again = window.openRunFile(path); // File › Open, not from the page
        QCOMPARE(window.registry().find(again)->color, curve);
    }

    void stabilisersLessonOpensTheShippedSweep() {
        const QString shipped = SweepsController::sampleSweep("lr-sensitivity");
        if (shipped.isEmpty()) QSKIP("sample_runs/sweeps/lr-sensitivity is not in this build");
        MainWindow window;
        window.sessions().setRecording(false);
        window.sessions().setCores(1);
        SweepsPage* page = window.sweeps()->page();
        QSignalSpy loaded(page, &SweepsPage::loaded);
        QVERIFY(window.lessons()->panel()->showLesson("stabilisers"));
        window.lessons()->panel()->openButton()->click();
        window.sessions().stopAll(); // the lesson's live QK-norm run: not needed here
        QCOMPARE(window.tabs()->currentWidget(), page);
        QCOMPARE(window.pages().page("sweeps"), page);
        QVERIFY(loaded.count() > 0 || loaded.wait(10000));
        QCOMPARE(page->data()->folder, QDir(shipped).absolutePath());
        QCOMPARE(page->data()->total(), 75);
        QCOMPARE(page->data()->done(), 75); // from summary_cells.csv
        QCOMPARE(SweepCharts::graphs(page->charts()->lossPlot(), "mean").size(), std::size_t(5));
        QCOMPARE(SweepCharts::graphs(page->charts()->lossPlot(), "mean")[0]->dataCount(), 5);
        // The lesson's text no longer says the chart is missing.
        const QString text = window.lessons()->panel()->lessonText()->toPlainText();
        QVERIFY(text.contains("Sweeps"));
        QVERIFY(!text.contains("no LR-sensitivity chart"));
    }

    void sweepStartedFromTheDialogFillsThePage() {
        const QString folder = m_dir.filePath("from-dialog");
        SweepsPage page;
        page.follower()->setInterval(100);
        page.runDialog = [&](NewSweepDialog& d) {
            d.presetBox()->setCurrentIndex(d.presetBox()->findData("lr-sensitivity"));
            // A tiny model instead of the preset's, so the test takes seconds.
            d.setOverlay(json{{"model", {{"layers", 1}, {"heads", 2}, {"d_model", 16}, {"context", 16}}},
                              {"train", {{"batch", 4}, {"probe_length", 8}, {"checkpoint_every", 5}}}});
            for (int i = 0; i < d.variantList()->count(); ++i) {
                QListWidgetItem* item = d.variantList()->item(i);
                item->setCheckState(item->text() == "baseline" || item->text() == "qk-norm" ? Qt::Checked
                                                                                            : Qt::Unchecked);
            }
            d.lrEdit()->setText("1e-3, 1e-2");
            d.seedsBox()->setValue(2);
            d.stepsBox()->setValue(10);
            d.folderEdit()->setText(folder);
            d.parallelBox()->setValue(2);
            d.startButton()->click();
            return d.result() == QDialog::Accepted;
        };
        QSignalSpy finished(page.job(), &SweepJob::finished);
        page.newSweep();
        QVERIFY(page.job()->isRunning() || finished.count() == 1);
        QVERIFY(finished.count() == 1 || finished.wait(60000));
        QCOMPARE(finished.at(0).at(1).toString(), QString()); // no error
        QTRY_VERIFY_WITH_TIMEOUT(page.data() && page.data()->allDone(), 10000);
        QCOMPARE(page.data()->total(), 8); // 2 variants × 2 LRs × 2 seeds
        const auto means = SweepCharts::graphs(page.charts()->lossPlot(), "mean");
        QCOMPARE(means.size(), std::size_t(2));
        QCOMPARE(means[0]->name(), QString("baseline"));
        QCOMPARE(means[1]->name(), QString("qk-norm"));
        QCOMPARE(means[0]->dataCount(), 2);
        QVERIFY(page.progressLabel()->text().contains("8 of 8 cells done"));
        // The dialog offers to resume a folder holding a partial sweep, and not a finished one.
        NewSweepDialog d(nullptr);
        d.folderEdit()->setText(folder);
        QVERIFY(d.resumeButton()->isHidden());
        QFile::remove(page.data()->runPaths[0]);
        d.folderEdit()->setText(folder + "/");
        QVERIFY(!d.resumeButton()->isHidden());
        d.resumeButton()->click();
        QVERIFY(d.resuming());
        QCOMPARE(d.spec().cellCount(), std::size_t(8));
    }

private:
    void checkTable(SweepsPage& page, const SweepSummary& summary) {
        SweepTableModel* model = page.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->rowCount(), 6); // variant × LR, seeds aggregated
        QCOMPARE(summary.sensitivity.size(), std::size_t(2));
        for (int row = 0; row < model->rowCount(); ++row) {
            const LrSensitivity* s = model->rowSensitivity(row);
            QVERIFY(s);
            const QString variant = model->index(row, SweepTableModel::Variant).data().toString();
            const LrSensitivity& expected = summary.sensitivity[variant == "base" ? 0 : 1];
            QCOMPARE(s->labels, expected.labels);
            QCOMPARE(s->sensitivity.mean, expected.sensitivity.mean); // exactly the core's number
            QCOMPARE(s->sensitivity.sd, expected.sensitivity.sd);
            QVERIFY(std::isfinite(s->sensitivity.mean));
            QCOMPARE(model->index(row, SweepTableModel::Sensitivity).data().toString(),
                     formatStat(expected.sensitivity));
            const QString lr = model->index(row, SweepTableModel::Lr).data().toString();
            const QString status = model->index(row, SweepTableModel::Status).data().toString();
            const bool high = lr.toStdString() == tinySweep().axes[1].labels[2];
            QCOMPARE(status, high ? QString("2 diverged") : QString("2 finished"));
            if (high) QCOMPARE(model->index(row, SweepTableModel::FinalLoss).data().toString(), QString("—"));
        }
        // Sortable by the score and by LR as numbers.
        page.table()->sortByColumn(SweepTableModel::Lr, Qt::DescendingOrder);
        QCOMPARE(page.proxy()->index(0, SweepTableModel::Lr).data().toString().toStdString(),
                 tinySweep().axes[1].labels[2]);
    }

    QTemporaryDir m_dir;
    QString m_folder;
};

QTEST_MAIN(TestGuiSweeps)
#include "tst_gui_sweeps.moc"
