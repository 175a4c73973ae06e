// Pin step A against step B, and run A against run B: the timeline's pin drives a B − A
// difference on the attention tab and an A cursor on every curve chart; runs compare at the same step or at
// A, with the nearest earlier snapshot when their steps differ; runs of other shapes are refused; and the
// export dialog writes the difference on screen exactly as `attnscope-cli plot --compare-*` does.
#include "figures/figure_data.h"
#include "gui/app/main_window.h"
#include "gui/attention/attention_grid_canvas.h"
#include "gui/attention/attention_grid_view.h"
#include "gui/attention/attention_heatmap.h"
#include "gui/attention/attention_panel.h"
#include "gui/export/difference_picker.h"
#include "gui/export/export_dialog.h"
#include "gui/inspect/inspect_controller.h"
#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/views/entropy_view.h"
#include "gui/views/extreme_tokens_view.h"
#include "gui/views/logit_view.h"
#include "gui/views/sinks_view.h"
#include "gui/views/training_view.h"
#include "gui/views/value_residual_view.h"
#include "gui/widgets/pin_slider.h"
#include "gui/widgets/step_timeline.h"
#include "helpers/gui/test_settings.h"
#include "helpers/synthetic_run.h"

#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <qcustomplot.h>

using namespace attnscope;
using namespace attnscope::gui;

namespace {

// The float32 payload of an .npy file.
std::vector<float> npyValues(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray bytes = f.readAll();
    const int headerLen = quint8(bytes[8]) | (quint8(bytes[9]) << 8);
    const qsizetype offset = 10 + headerLen;
    std::vector<float> v(std::size_t(bytes.size() - offset) / sizeof(float));
    std::memcpy(v.data(), bytes.constData() + offset, v.size() * sizeof(float));
    return v;
}

} // namespace

class TestPinning : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        test::useIsolatedSettings();
        QVERIFY(m_dir.isValid());
        m_runA = test::writeSyntheticRun(m_dir.path(), {});
        test::SyntheticRun other;
        other.name = QStringLiteral("other");
        other.snapshotSteps = {15, 35, 55}; // other steps than the first run: nearest earlier one is used
        other.sharpness = 0.11;
        m_runB = test::writeSyntheticRun(m_dir.path(), other);
        test::SyntheticRun wide;
        wide.name = QStringLiteral("wide");
        wide.layers = 3; // another architecture: no map-by-map difference
        m_wide = test::writeSyntheticRun(m_dir.path(), wide);
    }

    void init() {
        m_window = std::make_unique<MainWindow>();
        m_inspect = m_window->findChild<InspectController*>();
        QVERIFY(m_inspect);
        for (RunView* v : views()) v->flushUpdates();
    }
    void cleanup() { m_window.reset(); }

    void pinThenMoveShowsBMinusA() {
        const int id = m_window->openRunFile(m_runA);
        StepTimeline* timeline = m_inspect->timeline();
        timeline->setStep(20);
        pinButton()->click();
        QCOMPARE(m_window->registry().find(id)->pinnedStep, std::optional<int>(20));
        QCOMPARE(timeline->pin(), std::optional<int>(20));
        QCOMPARE(timeline->slider()->pinValue(), 1); // snapshot index of step 20
        AttentionPanel* panel = m_window->attentionPanel();
        QCOMPARE(panel->compareKind(), CompareTo::Pinned); // pinning turns the difference on

        timeline->setStep(50);
        const RunData* run = m_window->registry().find(id);
        QCOMPARE(panel->shownSnapshot()->step, 50);
        QVERIFY(panel->comparedSnapshot());
        QCOMPARE(panel->comparedSnapshot()->step, 20);
        QVERIFY(panel->grid()->comparisonStatus().contains(QStringLiteral("Δ step 50 − step 20")));
        QVERIFY(!panel->grid()->comparisonWarned());
        // Every head of the difference is B − A of the recorded maps, cell by cell.
        const ProbeSnapshot& b = *run->snapshotAt(50);
        const ProbeSnapshot& a = *run->snapshotAt(20);
        for (int l = 0; l < b.layers; ++l)
            for (int h = 0; h < b.heads; ++h) {
                panel->grid()->selectHead(l, h);
                const HeadField& field = panel->grid()->heatmap()->field();
                QVERIFY(field.isDifference());
                for (int q = 0; q < b.length; ++q)
                    for (int k = 0; k <= q; ++k) {
                        const std::size_t i = std::size_t(q) * std::size_t(b.length) + std::size_t(k);
                        QCOMPARE(field.value(q, k), b.map(l, h)[i] - a.map(l, h)[i]);
                    }
            }
        QVERIFY(panel->grid()->heatmap()->subtitle().contains(QStringLiteral("50 − step 20")));
    }

    void curvesGetAnACursorAndClearPinRemovesIt() {
        const int id = m_window->openRunFile(m_runA);
        for (RunView* v : views()) v->flushUpdates();
        StepTimeline* timeline = m_inspect->timeline();
        timeline->setStep(30);
        pinButton()->click();
        timeline->setStep(60);
        for (RunView* v : views())
            for (CurveChart* c : v->stepCharts()) {
                QCOMPARE(m_inspect->cursorStep(c), 60.0);
                QCOMPARE(m_inspect->pinCursorStep(c), 30.0);
            }
        // Charts over positions or keys have no step cursor, and are not step charts.
        ExtremeTokensView* extreme = m_window->extremeTokensView();
        const std::vector<CurveChart*> stepCharts = extreme->stepCharts();
        auto isStepChart = [&](const CurveChart* c) { return std::ranges::count(stepCharts, c) > 0; };
        for (const CurveChart* c : {m_window->sinksView()->profileChart(), extreme->valueNormChart(),
                                    extreme->residualNormChart()}) {
            QVERIFY(std::isnan(m_inspect->cursorStep(c)));
            QVERIFY(!isStepChart(c));
        }
        QVERIFY(isStepChart(extreme->topKeyChart()));
        QCOMPARE(m_inspect->cursorStep(m_window->valueResidualView()->lossChart()), 60.0);
        // The sink profile draws step A dashed beside step B: twice the points of B alone.
        SinksView* sinks = m_window->sinksView();
        QCOMPARE(sinks->profileStep(), 60);
        QCOMPARE(sinks->pinnedProfileStep(), std::optional<int>(30));
        const std::size_t withA = sinks->profileChart()->visiblePointCount();
        const RunData& run = *m_window->registry().find(id);
        QCOMPARE(withA,
                 std::size_t(2 * run.spec.model.heads * run.snapshotAt(60)->length)); // a line per head
        // So do the Extreme tokens norm profiles: a dashed step-A twin of every line.
        const std::size_t T = std::size_t(run.snapshotAt(60)->length);
        QCOMPARE(extreme->profileStep(), 60);
        QCOMPARE(extreme->pinnedProfileStep(), std::optional<int>(30));
        QCOMPARE(extreme->valueNormChart()->visiblePointCount(), 2 * std::size_t(run.spec.model.heads) * T);
        QCOMPARE(extreme->residualNormChart()->visiblePointCount(),
                 2 * std::size_t(run.spec.model.layers + 1) * T);
        // … and the plot holds them at once (it used to keep the previous snapshot's lines until the next
        // update).
        m_window->show(); // hidden charts defer their plotting to showEvent
        m_window->tabs()->setCurrentWidget(extreme);
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(extreme->valueNormChart()->isVisible());
        timeline->setStep(50); // while the tab is on screen
        QCustomPlot* plot = extreme->valueNormChart()->plot();
        const ProbeSnapshot& at50 = *run.snapshotAt(50);
        QVERIFY(plot->graphCount() > 0 && plot->graph(0)->data()->size() == int(T));
        QCOMPARE(plot->graph(0)->data()->at(1)->value, double(at50.valueNorm[at50.headIndex(0, 0) * T + 1]));
        timeline->setStep(60);

        m_window->findChild<QToolButton*>(QStringLiteral("clearPinButton"))->click();
        QVERIFY(!m_window->registry().find(id)->pinnedStep);
        QVERIFY(!timeline->pin());
        QCOMPARE(timeline->slider()->pinValue(), -1);
        QVERIFY(std::isnan(m_inspect->pinCursorStep(m_window->entropyView()->meanChart())));
        QCOMPARE(m_inspect->cursorStep(m_window->entropyView()->meanChart()), 60.0);
        QVERIFY(!sinks->pinnedProfileStep());
        QVERIFY(!extreme->pinnedProfileStep());
        QCOMPARE(extreme->valueNormChart()->visiblePointCount(), std::size_t(run.spec.model.heads) * T);
        QCOMPARE(sinks->profileChart()->visiblePointCount(), withA / 2);
        // The pinned-step difference stays chosen but says what is missing instead of drawing anything.
        AttentionPanel* panel = m_window->attentionPanel();
        QCOMPARE(panel->compareKind(), CompareTo::Pinned);
        QVERIFY(!panel->comparedSnapshot());
        QVERIFY(!panel->grid()->grid()->isDifference());
        QVERIFY(panel->grid()->comparisonWarned());
        QVERIFY(panel->grid()->comparisonStatus().contains(QStringLiteral("No step A pinned")));
    }

    void pinsArePerRunAndGoWithTheRun() {
        RunRegistry& reg = m_window->registry();
        const int a = m_window->openRunFile(m_runA);
        m_inspect->timeline()->setStep(40);
        pinButton()->click();
        const int b = m_window->openRunFile(m_runB); // selects the new run
        QCOMPARE(reg.selectedId(), b);
        QVERIFY(!m_inspect->timeline()->pin());
        reg.setSelected(a);
        QCOMPARE(m_inspect->timeline()->pin(), std::optional<int>(40));
        QCOMPARE(m_inspect->pinCursorStep(m_window->trainingView()->lossChart()), 40.0);
        reg.remove(a);
        QVERIFY(!m_inspect->timeline()->pin());
        QVERIFY(std::isnan(m_inspect->pinCursorStep(m_window->trainingView()->lossChart())));
        const int again = m_window->openRunFile(m_runA);
        QVERIFY(!reg.find(again)->pinnedStep);
        QVERIFY(!m_inspect->timeline()->pin());
    }

    void runAgainstRunAtSameStepAndAtA() {
        RunRegistry& reg = m_window->registry();
        const int other = m_window->openRunFile(m_runB);
        const int id = m_window->openRunFile(m_runA);
        AttentionPanel* panel = m_window->attentionPanel();
        m_inspect->timeline()->setStep(50);
        QVERIFY(panel->setCompare(CompareTo::RunSameStep, other));
        // The other run has no snapshot at 50: its nearest one at or before (35), and the header says so.
        QCOMPARE(panel->comparedSnapshot()->step, 35);
        QCOMPARE(panel->comparedSnapshot(), reg.find(other)->snapshotAt(35));
        QString status = panel->grid()->comparisonStatus();
        QVERIFY2(status.contains(QStringLiteral("Δ step 50 − other step 35")), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("nearest recorded at or before step 50")),
                 qPrintable(status));
        const ProbeSnapshot& b = *reg.find(id)->snapshotAt(50);
        const ProbeSnapshot& o = *reg.find(other)->snapshotAt(35);
        panel->grid()->selectHead(1, 2);
        QCOMPARE(panel->grid()->heatmap()->field().value(5, 3),
                 b.map(1, 2)[5 * 12 + 3] - o.map(1, 2)[5 * 12 + 3]);

        QVERIFY(panel->setCompare(CompareTo::RunPinned, other));
        QVERIFY(!panel->comparedSnapshot()); // nothing pinned yet
        QVERIFY(panel->grid()->comparisonWarned());
        m_inspect->timeline()->setStep(20);
        pinButton()->click();
        m_inspect->timeline()->setStep(60);
        QCOMPARE(panel->compareKind(), CompareTo::RunPinned); // pinning keeps a chosen difference
        QCOMPARE(panel->comparedSnapshot()->step, 15);        // other run at A = 20 → its snapshot at 15
        status = panel->grid()->comparisonStatus();
        QVERIFY2(status.contains(QStringLiteral("Δ step 60 − other step 15")), qPrintable(status));

        // Selecting the other run keeps the pair, the other way round.
        QVERIFY(panel->setCompare(CompareTo::RunSameStep, other));
        reg.setSelected(other);
        QCOMPARE(panel->compareKind(), CompareTo::RunSameStep);
        QCOMPARE(panel->compareRun(), id);
    }

    void otherArchitectureIsRefusedClearly() {
        const int wide = m_window->openRunFile(m_wide);
        m_window->openRunFile(m_runA);
        AttentionPanel* panel = m_window->attentionPanel();
        QVERIFY(panel->setCompare(CompareTo::RunSameStep, wide));
        QVERIFY(!panel->comparedSnapshot());
        QVERIFY(!panel->grid()->grid()->isDifference());
        QVERIFY(!panel->grid()->heatmap()->isDifference());
        QVERIFY(panel->grid()->comparisonWarned());
        const QString status = panel->grid()->comparisonStatus();
        QVERIFY2(status.startsWith(QStringLiteral("Cannot difference")), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("2 layers × 3 heads")) &&
                     status.contains(QStringLiteral("3 layers × 3 heads")),
                 qPrintable(status));
        // The export refuses it with the same reason instead of writing plain maps under a Δ title.
        m_window->tabs()->setCurrentWidget(panel);
        const auto dialog = m_inspect->exportDialog();
        dialog->difference()->select(wide, -1);
        dialog->setPath(m_dir.filePath(QStringLiteral("wide.png")));
        QString error;
        QVERIFY(!dialog->exportNow(&error));
        QVERIFY2(error.startsWith(QStringLiteral("Cannot difference")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("wide.png"))));
        const QString cli = cliPath();
        if (cli.isEmpty()) QSKIP("attnscope-cli not built");
        QProcess p;
        p.start(cli, {"plot", m_runA, "--view", "grid", "--compare-run", m_wide, "--out",
                      m_dir.filePath(QStringLiteral("wide-cli.png"))});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY(p.exitCode() != 0);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(QStringLiteral("Cannot difference")));
    }

    void exportDialogDifferenceMatchesCli_data() {
        QTest::addColumn<bool>("otherRun");
        QTest::addColumn<QString>("view");
        QTest::newRow("pinned step, one head") << false << "attention";
        QTest::newRow("pinned step, grid") << false << "grid";
        QTest::newRow("other run, same step") << true << "attention";
    }
    void exportDialogDifferenceMatchesCli() {
        QFETCH(bool, otherRun);
        QFETCH(QString, view);
        RunRegistry& reg = m_window->registry();
        const int other = m_window->openRunFile(m_runB);
        const int id = m_window->openRunFile(m_runA);
        m_window->tabs()->setCurrentWidget(m_window->attentionPanel());
        m_inspect->timeline()->setStep(20);
        pinButton()->click();
        m_inspect->timeline()->setStep(50);
        if (otherRun) QVERIFY(m_window->attentionPanel()->setCompare(CompareTo::RunSameStep, other));
        m_window->attentionPanel()->grid()->selectHead(1, 2);

        const auto dialog = m_inspect->exportDialog();
        QVERIFY(dialog);
        // Opened from a difference view: that difference is pre-selected.
        QCOMPARE(dialog->difference()->run(), otherRun ? other : DifferencePicker::kThisRun);
        QCOMPARE(dialog->difference()->step(), otherRun ? -1 : 20);
        QCOMPARE(dialog->request().step, 50);
        QCOMPARE(dialog->request().layer, 1);
        QCOMPARE(dialog->request().head, 2);
        QVERIFY(dialog->difference()->description().contains(otherRun ? QStringLiteral("50 − other step 35")
                                                                      : QStringLiteral("50 − step 20")));
        QVERIFY(dialog->request().view == figures::FigureView::Attention); // the tab it was opened from
        const QString tag = QStringLiteral("%1-%2").arg(otherRun ? "run" : "step", view);
        const QString guiPng = m_dir.filePath(QStringLiteral("gui-%1.png").arg(tag));
        dialog->setPath(guiPng);
        if (view == QLatin1String("grid")) setView(*dialog, figures::FigureView::Grid);
        QString error;
        QVERIFY2(dialog->exportNow(&error), qPrintable(error));
        QVERIFY(QFileInfo::exists(guiPng));

        // The side-car holds the plotted difference: B − A of the recorded maps.
        const std::vector<float> values = npyValues(m_dir.filePath(QStringLiteral("gui-%1.npy").arg(tag)));
        const ProbeSnapshot& b = *reg.find(id)->snapshotAt(50);
        const ProbeSnapshot& a = otherRun ? *reg.find(other)->snapshotAt(35) : *reg.find(id)->snapshotAt(20);
        const bool grid = view == QLatin1String("grid");
        const std::size_t cells = std::size_t(b.length) * std::size_t(b.length);
        QCOMPARE(values.size(), grid ? b.attention.size() : cells);
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::size_t at = grid ? i : b.headIndex(1, 2) * cells + i;
            QCOMPARE(values[i], b.attention[at] - a.attention[at]);
        }

        const QString cli = cliPath();
        if (cli.isEmpty()) QSKIP("attnscope-cli not built");
        const QString cliPng = m_dir.filePath(QStringLiteral("cli-%1.png").arg(tag));
        QStringList args = QStringList{"plot",    m_runA, "--view", view, "--step", "50",
                                       "--layer", "1",    "--head", "2",  "--out",  cliPng} +
                           cliOptions(dialog->options());
        args << (otherRun ? QStringList{"--compare-run", m_runB} : QStringList{"--compare-step", "20"});
        QProcess p;
        p.start(cli, args);
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QCOMPARE(QImage(cliPng), QImage(guiPng));
        QFile guiNpy(m_dir.filePath(QStringLiteral("gui-%1.npy").arg(tag)));
        QFile cliNpy(m_dir.filePath(QStringLiteral("cli-%1.npy").arg(tag)));
        QVERIFY(guiNpy.open(QIODevice::ReadOnly) && cliNpy.open(QIODevice::ReadOnly));
        QCOMPARE(guiNpy.readAll(), cliNpy.readAll());
    }

    void curveExportMarksA() {
        m_window->openRunFile(m_runA);
        m_window->tabs()->setCurrentWidget(m_window->entropyView());
        m_inspect->timeline()->setStep(20);
        pinButton()->click();
        m_inspect->timeline()->setStep(50);
        const auto dialog = m_inspect->exportDialog();
        QVERIFY(dialog->request().view == figures::FigureView::Entropy);
        QCOMPARE(dialog->difference()->run(), DifferencePicker::kThisRun); // the pin on a curve tab
        QCOMPARE(dialog->request().step, 50);
        QCOMPARE(dialog->request().pinStep, 20);
        const figures::CurveData curves =
            figures::curveData(figures::loadFigureInput(m_runA.toStdString()), dialog->request());
        QCOMPARE(curves.cursor, 50.0);
        QCOMPARE(curves.pinCursor, 20.0);
        const QString guiPng = m_dir.filePath(QStringLiteral("gui-entropy-a.png"));
        dialog->setPath(guiPng);
        QString error;
        QVERIFY2(dialog->exportNow(&error), qPrintable(error));

        const QString cli = cliPath();
        if (cli.isEmpty()) QSKIP("attnscope-cli not built");
        const QStringList common =
            cliOptions(dialog->options()) + QStringList{"--view", "entropy", "--step", "50"};
        QProcess p;
        p.start(cli, QStringList{"plot", m_runA, "--compare-step", "20", "--out",
                                 m_dir.filePath("cli-entropy-a.png")} +
                         common);
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QCOMPARE(QImage(m_dir.filePath("cli-entropy-a.png")), QImage(guiPng));
        p.start(cli, QStringList{"plot", m_runA, "--out", m_dir.filePath("cli-entropy-b.png")} + common);
        QVERIFY(p.waitForFinished(60000));
        QVERIFY(QImage(m_dir.filePath("cli-entropy-b.png")) != QImage(guiPng)); // the A cursor is drawn
    }

private:
    static QStringList cliOptions(const figures::FigureOptions& o) {
        QStringList args{"--width",     QStringLiteral("%1in").arg(o.widthIn, 0, 'g', 10),
                         "--height",    QStringLiteral("%1in").arg(o.heightIn, 0, 'g', 10),
                         "--font",      o.fontFamily,
                         "--font-size", QString::number(o.fontPt),
                         "--dpi",       QString::number(o.dpi)};
        if (o.logY) args << "--log-y";
        return args;
    }
    std::vector<RunView*> views() const {
        return {m_window->trainingView(), m_window->entropyView(),       m_window->logitView(),
                m_window->sinksView(),    m_window->extremeTokensView(), m_window->valueResidualView()};
    }
    QToolButton* pinButton() const { return m_window->findChild<QToolButton*>(QStringLiteral("pinButton")); }
    static QString cliPath() {
        // Tests run from <build>/tests; the CLI is built in <build>/cli.
        const QString cli = QCoreApplication::applicationDirPath() + QStringLiteral("/../cli/attnscope-cli");
        return QFileInfo::exists(cli) ? cli : QString();
    }
    static void setView(ExportDialog& dialog, figures::FigureView view) {
        auto* box = dialog.findChild<QComboBox*>(QStringLiteral("exportView"));
        box->setCurrentIndex(box->findData(int(view)));
        QVERIFY(dialog.request().view == view);
    }

    QTemporaryDir m_dir;
    QString m_runA, m_runB, m_wide;
    std::unique_ptr<MainWindow> m_window;
    InspectController* m_inspect = nullptr;
};

QTEST_MAIN(TestPinning)
#include "tst_gui_pinning.moc"
