// Telling runs apart and keeping the workspace: unique colours while runs are open, unique names,
// rename and tags, the run legend on every chart, the runs table (sort, filter, selection → charts), the
// events list and "Next event", leftover state (difference mode, layers of hidden runs, experiment button),
// deleting a run, and the workspace coming back after a restart.
#include "figures/palette.h"
#include "gui/app/main_window.h"
#include "gui/app/new_run_panel.h"
#include "gui/app/run_actions.h"
#include "gui/attention/attention_panel.h"
#include "gui/compare/event_list.h"
#include "gui/compare/runs_table_model.h"
#include "gui/compare/runs_table_page.h"
#include "gui/export/difference_picker.h"
#include "gui/export/export_dialog.h"
#include "gui/inspect/inspect_controller.h"
#include "gui/inspect/saved_notice.h"
#include "gui/session/run_registry.h"
#include "gui/views/chart_settings.h"
#include "gui/views/curve_chart.h"
#include "gui/views/entropy_view.h"
#include "gui/views/layer_charts.h"
#include "gui/views/logit_view.h"
#include "gui/views/sinks_view.h"
#include "gui/views/training_view.h"
#include "gui/widgets/step_timeline.h"
#include "helpers/gui/test_settings.h"
#include "helpers/synthetic_run.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>
#include <random>
#include <set>

using namespace attnscope;
using namespace attnscope::gui;

namespace {
RunData namedRun(const QString& name) {
    RunData r;
    r.name = name;
    return r;
}
std::vector<RunView*> views(MainWindow& w) {
    return {w.trainingView(), w.entropyView(), w.logitView(), w.sinksView()};
}
} // namespace

class TestGuiCompare : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_a, m_b, m_deep;

private slots:
    void initTestCase() {
        test::useIsolatedSettings();
        QVERIFY(m_dir.isValid());
        m_a = test::writeSyntheticRun(m_dir.path(), {.name = "alpha", .steps = 60});
        m_b = test::writeSyntheticRun(
            m_dir.path(), {.name = "beta", .steps = 40, .snapshotSteps = {10, 20, 30, 40}, .sharpness = 0.1});
        m_deep = test::writeSyntheticRun(
            m_dir.path(), {.name = "deep", .layers = 4, .steps = 30, .snapshotSteps = {10, 20, 30}});
    }

    void paletteNeverRepeatsWhileOpen() {
        // The palette functions themselves: whatever is in use, the next colour is not one of them.
        std::mt19937 rng(7);
        for (int trial = 0; trial < 50; ++trial) {
            std::vector<QColor> used;
            const int n = int(rng() % 60);
            for (int i = 0; i < n; ++i) used.push_back(nextRunColor(used));
            const QColor next = nextRunColor(used);
            QVERIFY(std::find(used.begin(), used.end(), next) == used.end());
        }
        // Through the registry: 40 open runs, 40 colours; the first 8 are Okabe–Ito in order.
        RunRegistry reg;
        for (int i = 0; i < 40; ++i) reg.add(namedRun("r"));
        std::set<QRgb> colours;
        for (const auto& r : reg.runs()) colours.insert(r->color.rgb());
        QCOMPARE(colours.size(), std::size_t(40));
        for (int i = 0; i < 8; ++i) QCOMPARE(reg.runs()[std::size_t(i)]->color, runPalette()[std::size_t(i)]);
        // A closed run's colour is the first one given out again; a run asking for a taken colour gets
        // another.
        const QColor freed = reg.runs()[2]->color;
        reg.remove(reg.runs()[2]->id);
        QCOMPARE(reg.find(reg.add(namedRun("new")))->color, freed);
        RunData clash = namedRun("clash");
        clash.color = runPalette()[0];
        QVERIFY(reg.find(reg.add(std::move(clash)))->color != runPalette()[0]);
    }

    void namesAreUniqueAndRenameable() {
        RunRegistry reg;
        const int a = reg.add(namedRun("baseline"));
        const int b = reg.add(namedRun("baseline"));
        const int c = reg.add(namedRun("baseline"));
        QCOMPARE(reg.find(a)->name, QString("baseline"));
        QCOMPARE(reg.find(b)->name, QString("baseline #2"));
        QCOMPARE(reg.find(c)->name, QString("baseline #3"));
        reg.rename(c, "alibi");
        QCOMPARE(reg.find(c)->name, QString("alibi"));
        reg.rename(b, "alibi"); // taken by c
        QCOMPARE(reg.find(b)->name, QString("alibi #2"));
        reg.rename(b, "   "); // refused
        QCOMPARE(reg.find(b)->name, QString("alibi #2"));
        reg.setTags(a, {"paper", "fig 2"});
        QCOMPARE(reg.find(a)->tags, QStringList({"paper", "fig 2"}));
    }

    void legendOnEveryChartFollowsVisibility() {
        MainWindow w;
        w.show();
        const int a = w.openRunFile(m_a), b = w.openRunFile(m_b);
        QVERIFY(a && b);
        for (RunView* v : views(w))
            for (CurveChart* chart : v->charts()) {
                QVERIFY2(chart->runLegend().contains("alpha") && chart->runLegend().contains("beta"),
                         qPrintable(chart->settingsKey()));
                QVERIFY(chart->runLegendShown());
            }
        w.registry().setVisible(b, false);
        QVERIFY(!w.entropyView()->charts().front()->runLegend().contains("beta"));
        w.registry().setColor(a, QColor(0x12, 0x34, 0x56));
        QVERIFY(w.trainingView()->charts().front()->runLegend().contains("#123456"));
        auto* toggle = w.findChild<QCheckBox*>("runLegend");
        QVERIFY(toggle);
        toggle->setChecked(false);
        for (RunView* v : views(w))
            for (CurveChart* chart : v->charts()) QVERIFY(!chart->runLegendShown());
        toggle->setChecked(true);
        QVERIFY(w.logitView()->charts().front()->runLegendShown());
    }

    void runsTableSortsFiltersAndSelects() {
        MainWindow w;
        w.show();
        const int a = w.openRunFile(m_a), b = w.openRunFile(m_b), d = w.openRunFile(m_deep);
        RunsTablePage* page = w.runsTable();
        QAbstractItemModelTester tester(page->proxy()->sourceModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(page->proxy()->rowCount(), 3);
        // Final train loss 4 − 0.03·steps: alpha (60 steps) lowest, deep (30) highest.
        page->view()->sortByColumn(RunsTableModel::TrainLossColumn, Qt::AscendingOrder);
        QCOMPARE(page->runIdAtRow(0), a);
        QCOMPARE(page->runIdAtRow(1), b);
        QCOMPARE(page->runIdAtRow(2), d);
        const QModelIndex loss = page->proxy()->index(0, RunsTableModel::TrainLossColumn);
        QCOMPARE(loss.data().toString(), QString::number(4.0 - 0.03 * 60, 'g', 4));
        QCOMPARE(page->proxy()->index(2, RunsTableModel::ShapeColumn).data().toString(),
                 QString("4L × 3H · d96 · T128"));
        QCOMPARE(page->proxy()->index(0, RunsTableModel::EventsColumn).data().toInt(), 1);
        page->filter()->setText("BET");
        QCOMPARE(page->proxy()->rowCount(), 1);
        QCOMPARE(page->runIdAtRow(0), b);
        page->filter()->clear();
        // Selecting two rows shows exactly those two runs; the current row becomes the selected run.
        page->view()->sortByColumn(RunsTableModel::NameColumn, Qt::AscendingOrder); // alpha, beta, deep
        auto* sel = page->view()->selectionModel();
        sel->select(page->proxy()->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        sel->setCurrentIndex(page->proxy()->index(2, 0),
                             QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QVERIFY(w.registry().find(a)->visible);
        QVERIFY(!w.registry().find(b)->visible);
        QVERIFY(w.registry().find(d)->visible);
        QCOMPARE(w.registry().selectedId(), d);
        page->findChild<QPushButton*>("showAllRuns")->click();
        QVERIFY(w.registry().find(b)->visible);
    }

    void eventsListAndNextEventMoveTheTimeline() {
        MainWindow w;
        w.show();
        QVERIFY(w.openRunFile(m_a));
        StepTimeline* timeline = w.timeline();
        timeline->first();
        QCOMPARE(timeline->step(), 10);
        QTreeWidget* tree = w.eventList()->tree();
        QCOMPARE(tree->topLevelItemCount(), 1);
        QCOMPARE(tree->topLevelItem(0)->text(2), QString("L0 H1"));
        emit tree->itemClicked(tree->topLevelItem(0), 0);
        QCOMPARE(timeline->step(), 30); // the snapshot at or before the event at step 35
        timeline->first();
        timeline->nextEvent();
        QCOMPARE(timeline->step(), 40); // at or after: the snapshot that shows the event's effect
        QVERIFY2(timeline->eventNote().contains("step 35") && timeline->eventNote().contains("entropy"),
                 qPrintable(timeline->eventNote()));
        timeline->nextEvent();
        QVERIFY2(timeline->eventNote().startsWith("No event after"), qPrintable(timeline->eventNote()));
        // Playback speed
        auto* speed = timeline->findChild<QComboBox*>("playSpeed");
        QVERIFY(speed);
        timeline->setPlaybackRate(32);
        QCOMPARE(timeline->playbackRate(), 32);
    }

    void leftoverStateIsCleared() {
        MainWindow w;
        w.show();
        const int a = w.openRunFile(m_a);
        const int d = w.openRunFile(m_deep);
        // Layers only a hidden run has disappear from the per-layer charts.
        for (RunView* v : views(w)) v->flushUpdates();
        QCOMPARE(w.entropyView()->layerGrid()->shownLayerCount(), 4);
        w.registry().setVisible(d, false);
        QCOMPARE(w.entropyView()->layerGrid()->shownLayerCount(), 2);
        QCOMPARE(w.logitView()->layerGrid()->shownLayerCount(), 2);
        QCOMPARE(w.sinksView()->layerGrid()->shownLayerCount(), 2);
        w.registry().setVisible(d, true);
        QCOMPARE(w.entropyView()->layerGrid()->shownLayerCount(), 4);
        // A difference against step A does not carry over to a run without a pin.
        w.registry().setSelected(a);
        w.registry().setPinnedStep(a, 20);
        QCOMPARE(w.attentionPanel()->compareKind(), CompareTo::Pinned);
        w.registry().setSelected(d);
        QCOMPARE(w.attentionPanel()->compareKind(), CompareTo::Nothing);
        // "Start the whole experiment" follows the form's validity.
        NewRunPanel* panel = w.newRunPanel();
        auto* experiment = panel->findChild<QPushButton*>("startExperiment");
        QVERIFY(experiment->isEnabled());
        panel->findChild<QSpinBox*>("model.heads")->setValue(3); // d 128 is not divisible by 3
        QVERIFY(!panel->problems().isEmpty());
        QVERIFY(!experiment->isEnabled());
    }

    void fitsA1280x720Screen() {
        MainWindow w;
        w.resize(1280, 720);
        w.show();
        QVERIFY(w.openRunFile(m_a) && w.openRunFile(m_deep));
        QCoreApplication::processEvents();
        const QSize min = w.minimumSizeHint().expandedTo(w.minimumSize());
        QVERIFY2(min.width() <= 1280 && min.height() <= 720,
                 qPrintable(QString("minimum %1×%2").arg(min.width()).arg(min.height())));
        QVERIFY2(w.width() <= 1280 && w.height() <= 720,
                 qPrintable(QString("window %1×%2").arg(w.width()).arg(w.height())));
    }

    void exportSaysWhereItSaved() {
        MainWindow w;
        w.show();
        QVERIFY(w.openRunFile(m_a));
        w.tabs()->setCurrentWidget(w.trainingView());
        const auto dialog = w.inspect()->exportDialog();
        QVERIFY(dialog);
        const QString path = m_dir.filePath("loss.pdf");
        dialog->setPath(path);
        QString error;
        QVERIFY2(dialog->exportNow(&error), qPrintable(error));
        QCOMPARE(dialog->writtenFiles(), QStringList({path, m_dir.filePath("loss.csv")}));
        w.inspect()->announceSaved(dialog->writtenFiles());
        SavedNotice* notice = w.inspect()->savedNotice();
        QVERIFY(notice->isVisible());
        QVERIFY2(notice->text().contains(path) && notice->text().contains("loss.csv"),
                 qPrintable(notice->text()));
        QCOMPARE(notice->folder(), m_dir.path());
        QVERIFY(notice->openFolderButton()->isVisible());
    }

    void exportSeveralRuns() {
        MainWindow w;
        w.show();
        const int a = w.openRunFile(m_a), b = w.openRunFile(m_b);
        w.registry().setSelected(a);
        w.tabs()->setCurrentWidget(w.entropyView());
        auto dialog = w.inspect()->exportDialog();
        QVERIFY(dialog->selectRuns("overlay"));
        QVERIFY(!dialog->difference()->isEnabled());
        const QString pdf = m_dir.filePath("runs.pdf");
        dialog->setPath(pdf);
        QString error;
        QVERIFY2(dialog->exportNow(&error), qPrintable(error));
        QFile csv(m_dir.filePath("runs.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QString header = QString::fromUtf8(csv.readLine());
        QVERIFY2(header.contains("alpha · H0") && header.contains("beta · H2"), qPrintable(header));
        // Maps: the other run beside the selected one.
        w.tabs()->setCurrentWidget(w.attentionPanel());
        dialog = w.inspect()->exportDialog();
        QVERIFY(!dialog->selectRuns("overlay")); // not offered for maps
        QVERIFY(dialog->selectRuns(QString("beside:%1").arg(b)));
        dialog->setPath(m_dir.filePath("beside.png"));
        QVERIFY2(dialog->exportNow(&error), qPrintable(error));
        QCOMPARE(dialog->writtenFiles().size(), 2);
        QVERIFY(dialog->writtenFiles().at(1).endsWith("beside.npy"));
    }

    void deleteAsksFirst() {
        const QString path = test::writeSyntheticRun(m_dir.path(), {.name = "doomed", .steps = 20});
        MainWindow w;
        const int id = w.openRunFile(path);
        QVERIFY(id);
        QString asked;
        w.runActions()->confirm = [&](const QString& q) {
            asked = q;
            return false;
        };
        QVERIFY(!w.runActions()->deleteRun(id));
        QVERIFY(asked.contains("doomed"));
        QVERIFY(QFile::exists(path) && w.registry().find(id));
        w.runActions()->confirm = [](const QString&) { return true; };
        QVERIFY(w.runActions()->deleteRun(id));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!w.registry().find(id));
    }

    void workspaceComesBack() {
        QSettings().remove("workspace");
        int page = 0;
        {
            MainWindow w;
            w.show();
            const int a = w.openRunFile(m_a), b = w.openRunFile(m_b), d = w.openRunFile(m_deep);
            w.registry().setColor(b, QColor(0x11, 0x22, 0x33));
            w.registry().setVisible(d, false);
            w.registry().rename(a, "alpha renamed");
            w.registry().setTags(a, {"paper"});
            w.registry().setSelected(b);
            page = w.tabs()->indexOf(w.runsTable());
            w.tabs()->setCurrentIndex(page);
            QVERIFY(w.close());
        }
        MainWindow w;
        w.openStartup({});
        const auto& runs = w.registry().runs();
        QCOMPARE(runs.size(), std::size_t(3));
        QCOMPARE(runs[0]->name, QString("alpha renamed"));
        QCOMPARE(runs[0]->tags, QStringList({"paper"}));
        QCOMPARE(runs[1]->name, QString("beta"));
        QCOMPARE(runs[1]->color, QColor(0x11, 0x22, 0x33));
        QVERIFY(runs[1]->visible);
        QVERIFY(!runs[2]->visible);
        QCOMPARE(w.registry().selectedId(), runs[1]->id);
        QCOMPARE(w.tabs()->currentIndex(), page);
        std::set<QRgb> colours;
        for (const auto& r : runs) colours.insert(r->color.rgb());
        QCOMPARE(colours.size(), runs.size());
    }

    // The run colour rule (figures/palette.h): a run keeps the colour it took when it first entered the
    // workspace, after being closed and opened again (even when the first free colour is another) and after
    // a restart, also when the app starts with files given instead of the saved runs.
    void runKeepsItsColourForTheLifeOfTheWorkspace() {
        QSettings().remove("workspace");
        QColor colourA, colourB, colourDeep;
        {
            MainWindow w;
            const int a = w.openRunFile(m_a), b = w.openRunFile(m_b), d = w.openRunFile(m_deep);
            colourA = w.registry().find(a)->color;
            colourB = w.registry().find(b)->color;
            colourDeep = w.registry().find(d)->color;
            QCOMPARE(colourA, runPalette()[0]);
            QCOMPARE(colourB, runPalette()[1]);
            w.registry().remove(a);
            w.registry().remove(b);
            // Reopened in the other order: each takes its own colour back, not the first free one.
            const int b2 = w.openRunFile(m_b), a2 = w.openRunFile(m_a);
            QCOMPARE(w.registry().find(b2)->color, colourB);
            QCOMPARE(w.registry().find(a2)->color, colourA);
            w.registry().remove(a2);
            w.saveWorkspace(); // alpha closed: not among the saved runs, its colour still in the book
        }
        MainWindow w;
        w.openStartup({m_deep, m_a}); // files given: the saved runs are not opened, the colours still apply
        const auto& runs = w.registry().runs();
        QCOMPARE(runs.size(), std::size_t(2));
        QCOMPARE(runs[0]->color, colourDeep);
        QCOMPARE(runs[1]->color, colourA);
        QSettings().remove("workspace");
    }
};

QTEST_MAIN(TestGuiCompare)
#include "tst_gui_compare.moc"
