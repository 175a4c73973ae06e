// What a lecture hall and a small laptop see: charts of readable width at 1280×720 (fewer columns instead of
// 150-pixel charts), a saved window never larger than the screen, presentation mode (larger text, thicker
// lines) and a dark theme that charts and captions follow, the Help menu's shortcut list, and
// `attnscope --help` / `--version` on stdout without a display.
#include "gui/app/appearance.h"
#include "gui/app/help_menu.h"
#include "gui/app/main_window.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/sweeps/sweeps_controller.h"
#include "gui/sweeps/sweeps_page.h"
#include "gui/views/curve_chart.h"
#include "gui/views/entropy_view.h"
#include "gui/views/layer_charts.h"
#include "gui/widgets/chart_help.h"
#include "gui/widgets/display_scale.h"
#include "gui/widgets/secondary_text.h"
#include "helpers/gui/test_settings.h"
#include "helpers/synthetic_run.h"

#include <QApplication>
#include <QCheckBox>
#include <QGuiApplication>
#include <QProcess>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

using namespace attnscope;
using namespace attnscope::gui;

class TestLayout : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { test::useIsolatedSettings(); }

    void chartsStayReadableAt1280() {
        MainWindow window;
        window.sessions().setRecording(false);
        window.resize(1280, 720);
        window.show();
        window.tabs()->setCurrentWidget(window.entropyView());
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCoreApplication::processEvents();
        for (LayerCharts* grid : window.entropyView()->findChildren<LayerCharts*>()) {
            QVERIFY2(
                grid->width() / grid->columns() >= LayerCharts::kMinChartWidth || grid->columns() == 1,
                qPrintable(QStringLiteral("%1 px in %2 columns").arg(grid->width()).arg(grid->columns())));
        }
    }

    // Every tab in view at 1600 px (no scroll arrows hiding some), and the New-run form without a sideways
    // scroll bar.
    void tabsAndFormFitAt1600() {
        MainWindow window;
        window.sessions().setRecording(false);
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCoreApplication::processEvents();
        QTabBar* bar = window.tabs()->tabBar();
        QVERIFY2(
            bar->tabRect(bar->count() - 1).right() <= bar->width(),
            qPrintable(
                QStringLiteral("%1 > %2").arg(bar->tabRect(bar->count() - 1).right()).arg(bar->width())));
        for (QScrollArea* area : window.findChildren<QScrollArea*>()) {
            if (!area->isVisible() || !area->objectName().startsWith(QLatin1String("newRun"))) continue;
            QVERIFY2(!area->horizontalScrollBar()->isVisible(), qPrintable(area->objectName()));
        }
    }

    // A short run selected beside a long one fills the step axes (the option on, its default); off, the axes
    // span the longest visible run again.
    void stepAxesFitTheSelectedRun() {
        QTemporaryDir dir;
        test::SyntheticRun longRun;
        longRun.name = QStringLiteral("long");
        longRun.steps = 600;
        longRun.snapshotSteps = {100, 300, 600};
        test::SyntheticRun shortRun;
        shortRun.name = QStringLiteral("short");
        MainWindow window;
        window.sessions().setRecording(false);
        const int longId = window.openRunFile(test::writeSyntheticRun(dir.path(), longRun));
        const int shortId = window.openRunFile(test::writeSyntheticRun(dir.path(), shortRun));
        QVERIFY(longId && shortId);
        window.resize(1280, 720);
        window.show(); // hidden charts defer their fit until shown
        window.tabs()->setCurrentWidget(window.entropyView());
        window.registry().setSelected(shortId);
        window.entropyView()->flushUpdates();
        CurveChart* chart = window.entropyView()->charts().front();
        QVERIFY2(chart->plot()->xAxis->range().upper < 100,
                 qPrintable(QString::number(chart->plot()->xAxis->range().upper)));
        auto* option = window.findChild<QCheckBox*>(QStringLiteral("xFitsSelectedRun"));
        QVERIFY(option && option->isChecked());
        option->setChecked(false);
        QVERIFY(chart->plot()->xAxis->range().upper >= 600);
        option->setChecked(true);
    }

    void savedGeometryIsClampedToTheScreen() {
        {
            MainWindow big;
            big.resize(4000, 3000);
            big.move(2000, 1500);
            big.show();
            QSettings().setValue("window/geometry", big.saveGeometry());
        }
        MainWindow window;
        const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
        const QSize minimum = window.minimumSizeHint();
        QVERIFY2(window.width() <= std::max(screen.width(), minimum.width()),
                 qPrintable(QStringLiteral("%1 > %2").arg(window.width()).arg(screen.width())));
        QVERIFY(window.height() <= std::max(screen.height(), minimum.height()));
        QVERIFY(screen.intersects(window.geometry()));
        QSettings().remove("window/geometry");
    }

    void presentationModeEnlargesTextAndLines() {
        MainWindow window;
        window.sessions().setRecording(false);
        const double before = QApplication::font().pointSizeF();
        window.appearance()->setPresentation(true);
        QCOMPARE(QApplication::font().pointSizeF(), before * Appearance::kPresentationScale);
        QCOMPARE(lineScale(), Appearance::kPresentationScale);
        CurveChart* chart = window.entropyView()->charts().front();
        QCoreApplication::processEvents();
        QVERIFY(chart->plot()->xAxis->tickLabelFont().pointSizeF() > before - 1.0);
        window.appearance()->setPresentation(false);
        QCOMPARE(QApplication::font().pointSizeF(), before);
        QCOMPARE(lineScale(), 1.0);
        QVERIFY(!QSettings().value("view/presentation").toBool());
    }

    void darkThemeReachesChartsAndCaptions() {
        MainWindow window;
        window.sessions().setRecording(false);
        window.resize(1600, 1000);
        window.show(); // palette changes reach hidden widgets only when they are next shown
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.appearance()->setDark(true);
        QCoreApplication::processEvents();
        const QColor window_ = QApplication::palette().color(QPalette::Window);
        QVERIFY(window_.lightnessF() < 0.3);
        CurveChart* chart = window.entropyView()->charts().front();
        QVERIFY(chart->plot()->grab().toImage().pixelColor(2, 2).lightnessF() < 0.3);
        // The Sweeps page's charts too, on a shipped sweep: dark background, light tick labels and legend.
        const QString sweep = SweepsController::sampleSweep(QStringLiteral("lr-sensitivity"));
        if (!sweep.isEmpty()) {
            window.sweeps()->showFolder(sweep);
            QTRY_VERIFY(window.sweeps()->page()->data() != nullptr);
        }
        for (const char* name : {"sweepLossPlot", "sweepLogitPlot"}) {
            auto* plot = window.findChild<QCustomPlot*>(QLatin1String(name));
            QVERIFY(plot);
            QVERIFY2(plot->grab().toImage().pixelColor(2, 2).lightnessF() < 0.3, name);
            QVERIFY2(plot->xAxis->tickLabelColor().lightnessF() > 0.6, name);
            QVERIFY2(plot->legend->brush().color().lightnessF() < 0.3, name);
            QVERIFY2(plot->legend->textColor().lightnessF() > 0.6, name);
        }
        for (const ChartCaption* c : window.findChildren<ChartCaption*>()) {
            const double ratio = contrastRatio(c->palette().color(QPalette::WindowText), window_);
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("%1: %2:1").arg(c->key()).arg(ratio)));
        }
        window.appearance()->setDark(false);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightnessF() > 0.7);
        QCoreApplication::processEvents();
        auto* sweepPlot = window.findChild<QCustomPlot*>(QStringLiteral("sweepLossPlot"));
        QVERIFY(sweepPlot->grab().toImage().pixelColor(2, 2).lightnessF() > 0.7);
    }

    // A 1280-px projector in presentation mode: the window fits the screen (the tabs scroll rather than
    // widen it).
    void presentationModeFitsA1280Screen() {
        MainWindow window;
        window.sessions().setRecording(false);
        window.appearance()->setPresentation(true);
        QCoreApplication::processEvents();
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCoreApplication::processEvents();
        QVERIFY2(window.minimumSizeHint().width() <= 1280,
                 qPrintable(QString::number(window.minimumSizeHint().width())));
        QVERIFY2(window.width() <= 1280, qPrintable(QString::number(window.width())));
        window.appearance()->setPresentation(false);
    }

    void helpListsTheShortcuts() {
        MainWindow window;
        const QString html = shortcutListHtml(window);
        for (const char* expected : {"Export figure", "Space", "Timeline: next snapshot", "Pin step A"})
            QVERIFY2(html.contains(QLatin1String(expected)), expected);
        QVERIFY(!documentationFolder().isEmpty()); // the source tree's README.md and docs/
    }

    void helpAndVersionGoToStdout() {
        const QString app = QCoreApplication::applicationDirPath() + QStringLiteral("/../gui/attnscope");
        if (!QFileInfo::exists(app)) QSKIP("attnscope not built");
        for (const char* option : {"--help", "--version"}) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("DISPLAY")); // no display needed to ask
            env.remove(QStringLiteral("QT_QPA_PLATFORM"));
            p.setProcessEnvironment(env);
            p.start(app, {QString::fromLatin1(option)});
            QVERIFY(p.waitForFinished(20000));
            QCOMPARE(p.exitCode(), 0);
            const QByteArray out = p.readAllStandardOutput();
            QVERIFY2(out.contains(option == QLatin1String("--help") ? "Usage: attnscope" : "attnscope "),
                     out.constData());
            QVERIFY2(p.readAllStandardError().isEmpty(), option);
        }
    }
};

QTEST_MAIN(TestLayout)
#include "tst_gui_layout.moc"
