// "What am I seeing?": every chart and map page of the main window carries a caption with text, the
// attention maps switch theirs for a difference, and every caption and hint is readable on a projector — a
// WCAG contrast of at least 4.5:1 against the window, computed from the palette the app actually uses.
#include "gui/app/main_window.h"
#include "gui/attention/attention_panel.h"
#include "gui/export/export_dialog.h"
#include "gui/inspect/inspect_controller.h"
#include "gui/session/session_manager.h"
#include "gui/sweeps/sweeps_page.h"
#include "gui/views/extrapolation_view.h"
#include "gui/views/extreme_tokens_view.h"
#include "gui/views/value_residual_view.h"
#include "gui/widgets/chart_help.h"
#include "gui/widgets/secondary_text.h"
#include "helpers/gui/test_settings.h"
#include "helpers/test_paths.h"

#include <QApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

using namespace attnscope;
using namespace attnscope::gui;

class TestCaptions : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { test::useIsolatedSettings(); }

    void everyChartPageHasACaption() {
        MainWindow window;
        window.sessions().setRecording(false);
        QTabWidget* tabs = window.tabs();
        QVERIFY(tabs);
        for (int i = 0; i < tabs->count(); ++i) {
            const QString title = tabs->tabText(i);
            if (title == "Runs table") continue; // a table, not a chart
            const auto captions = tabs->widget(i)->findChildren<ChartCaption*>();
            QVERIFY2(!captions.isEmpty(), qPrintable(title + " has no caption"));
            bool anyText = false;
            for (const ChartCaption* c : captions)
                anyText = anyText || c->text().contains("What am I seeing?");
            QVERIFY2(anyText, qPrintable(title));
        }
        for (const char* key : {"attention-map", "attention-difference", "probe-text"})
            QVERIFY2(!chartHelp(QString::fromLatin1(key)).isEmpty(), key);
    }

    // Every page exports its own view through File › Export figure: the tab picks the figure view, and the
    // Sweeps page writes its LR-sensitivity plot.
    void everyPageExportsItsView() {
        MainWindow window;
        window.sessions().setRecording(false);
        const QString samples = QString::fromStdString(test::sourceDir() + "/sample_runs/");
        QVERIFY(window.openRunFile(samples + "extrap-alibi.attnrun"));
        auto* inspect = window.findChild<InspectController*>();
        QVERIFY(inspect);
        const std::pair<QWidget*, figures::FigureView> pages[] = {
            {window.extremeTokensView(), figures::FigureView::ExtremeTokens},
            {window.extrapolationView(), figures::FigureView::Extrapolation},
            {window.valueResidualView(), figures::FigureView::ValueResidual}};
        for (const auto& [page, view] : pages) {
            window.tabs()->setCurrentWidget(page);
            const std::unique_ptr<ExportDialog> dialog = inspect->exportDialog();
            QVERIFY(dialog);
            QCOMPARE(int(dialog->request().view), int(view));
        }
        QTemporaryDir dir;
        SweepsPage* sweeps = window.findChild<SweepsPage*>();
        QVERIFY(sweeps);
        QSignalSpy loaded(sweeps, &SweepsPage::loaded);
        sweeps->openFolder(samples + "sweeps/lr-sensitivity");
        QVERIFY(loaded.wait(20000));
        QString error;
        QVERIFY2(sweeps->exportFigure(dir.filePath("lr.pdf"), &error), qPrintable(error));
        QVERIFY(QFileInfo(dir.filePath("lr.pdf")).size() > 0 && QFileInfo(dir.filePath("lr.csv")).size() > 0);
    }

    void captionsHaveProjectorContrast() {
        MainWindow window;
        window.sessions().setRecording(false);
        window.show();
        const auto captions = window.findChildren<ChartCaption*>();
        QVERIFY(captions.size() > 10);
        for (const ChartCaption* c : captions) {
            const QPalette p = c->palette();
            const double ratio = contrastRatio(p.color(QPalette::WindowText), p.color(QPalette::Window));
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("%1: %2:1").arg(c->key()).arg(ratio)));
        }
    }

    // The secondary colour keeps ≥ 4.5:1 on light and dark windows alike, and a theme switch (a new
    // application palette) recolours a caption that already exists.
    void secondaryTextFollowsThePalette() {
        QPalette light;
        light.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
        light.setColor(QPalette::WindowText, Qt::black);
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
        for (const QPalette& p : {light, dark})
            QVERIFY(contrastRatio(secondaryTextColor(p), p.color(QPalette::Window)) >= 4.5);
        QCOMPARE(contrastRatio(Qt::black, Qt::white), 21.0);
        // The grey the captions used before (#9F9F9F on #EFEFEF) fails.
        QVERIFY(contrastRatio(QColor(0x9f, 0x9f, 0x9f), QColor(0xef, 0xef, 0xef)) < 4.5);

        const QPalette original = QApplication::palette();
        ChartCaption caption(QStringLiteral("entropy"));
        QApplication::setPalette(dark);
        QCoreApplication::processEvents();
        QCOMPARE(caption.palette().color(QPalette::WindowText), secondaryTextColor(dark));
        QApplication::setPalette(original);
    }
};

QTEST_MAIN(TestCaptions)
#include "tst_gui_captions.moc"
