// Inspect and publish: figure export at physical sizes with text kept as text, the step timeline
// driving every view, sample runs opening, and `attnscope-cli plot` matching the GUI export.
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/train/run_spec.h"
#include "figures/figure_export.h"
#include "gui/app/app_icon.h"
#include "gui/app/main_window.h"
#include "gui/attention/attention_panel.h"
#include "gui/export/difference_picker.h"
#include "gui/export/export_dialog.h"
#include "gui/inspect/inspect_controller.h"
#include "gui/session/run_registry.h"
#include "gui/session/sample_runs.h"
#include "gui/views/curve_chart.h"
#include "gui/views/entropy_view.h"
#include "gui/views/logit_view.h"
#include "gui/views/sinks_view.h"
#include "gui/views/training_view.h"
#include "gui/widgets/step_timeline.h"
#include "helpers/gui/test_settings.h"
#include "helpers/synthetic_run.h"

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <nlohmann/json.hpp>

using namespace attnscope;
using namespace attnscope::figures;

namespace {

constexpr int kLayers = 2, kHeads = 3, kT = 12; // the defaults of test::SyntheticRun

ProbeSnapshot makeSnapshot(int step) {
    return test::syntheticSnapshot(step, kLayers, kHeads, kT);
}

QString writeRun(const QString& dir) {
    return test::writeSyntheticRun(dir);
}

double pdfPageSizePt(const QString& path, double* height) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const QByteArray bytes = f.readAll();
    const QRegularExpression re(
        QStringLiteral("/MediaBox\\s*\\[\\s*([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)"));
    const auto m = re.match(QString::fromLatin1(bytes));
    if (!m.hasMatch()) return -1;
    *height = m.captured(4).toDouble() - m.captured(2).toDouble();
    return m.captured(3).toDouble() - m.captured(1).toDouble();
}

} // namespace

class TestInspect : public QObject {
    Q_OBJECT
private slots:
    // Preset groups put '/' in run names; the suggested export file must still be one file in one folder.
    void exportFileNameIsFlat() {
        figures::FigureInput input;
        input.runName = QStringLiteral("exp-logit-growth/ls attention");
        figures::FigureRequest request;
        request.view = figures::FigureView::Grid;
        gui::ExportDialog dialog(input, request);
        QCOMPARE(QFileInfo(dialog.path()).fileName(),
                 QStringLiteral("exp-logit-growth-ls-attention-grid.pdf"));
        // The suggestion follows the difference (…-diff) until the user types a name of their own.
        dialog.difference()->select(gui::DifferencePicker::kThisRun, 0);
        QCOMPARE(QFileInfo(dialog.path()).fileName(),
                 QStringLiteral("exp-logit-growth-ls-attention-grid-diff.pdf"));
        dialog.setPath(QStringLiteral("/tmp/mine.svg"));
        dialog.difference()->select(gui::DifferencePicker::kNone, -1);
        QCOMPARE(dialog.path(), QStringLiteral("/tmp/mine.svg"));
    }

    void initTestCase() {
        test::useIsolatedSettings();
        QVERIFY(m_dir.isValid());
        m_run = writeRun(m_dir.path());
    }

    void exportsHavePhysicalSize_data() {
        QTest::addColumn<QString>("view");
        for (const char* v : {"attention", "grid", "entropy", "logits", "sinks", "training"})
            QTest::newRow(v) << v;
    }
    void exportsHavePhysicalSize() {
        QFETCH(QString, view);
        const FigureInput in = loadFigureInput(m_run.toStdString());
        FigureRequest req;
        req.view = *parseView(view);
        req.step = 30, req.layer = 1, req.head = 2;
        FigureOptions opt;
        opt.widthIn = 3.5, opt.heightIn = 2.5, opt.dpi = 200;
        for (const char* ext : {"pdf", "svg", "png"}) {
            const QString path = m_dir.filePath(QStringLiteral("%1.%2").arg(view, ext));
            const ExportResult r = exportFigure(in, req, opt, path);
            QVERIFY2(r.ok, qPrintable(r.error));
            QVERIFY(QFileInfo(path).size() > 500);
            QVERIFY(QFileInfo::exists(r.sidecarPath));
        }
        double h = 0;
        QCOMPARE(pdfPageSizePt(m_dir.filePath(view + ".pdf"), &h), 252.0);
        QCOMPARE(h, 180.0);
        QFile svg(m_dir.filePath(view + ".svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(svg.readAll());
        const auto m =
            QRegularExpression(QStringLiteral("width=\"([0-9.]+)mm\" height=\"([0-9.]+)mm\"")).match(text);
        QVERIFY2(m.hasMatch(), "SVG has physical width/height");
        QVERIFY(std::abs(m.captured(1).toDouble() - 88.9) < 0.5);
        QVERIFY(std::abs(m.captured(2).toDouble() - 63.5) < 0.5);
        const QImage png(m_dir.filePath(view + ".png"));
        QCOMPARE(png.width(), 700);
        QCOMPARE(png.height(), 500);
    }

    void sidecarsHoldThePlottedData() {
        const FigureInput in = loadFigureInput(m_run.toStdString());
        QFile csv(m_dir.filePath("entropy.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("step,H0,H1,H2"));
        QCOMPARE(lines.size(), 1 + int(in.snapshots.size())); // every snapshot, none sampled away
        QFile npy(m_dir.filePath("grid.npy"));
        QVERIFY(npy.open(QIODevice::ReadOnly));
        const QByteArray bytes = npy.readAll();
        QVERIFY(bytes.startsWith("\x93NUMPY"));
        QVERIFY(bytes.contains("(2, 3, 12, 12)"));
        QCOMPARE(bytes.size() % 64, (kLayers * kHeads * kT * kT * 4) % 64);
    }

    void pdfKeepsTextAsTrueType() {
        const QString pdffonts = QStandardPaths::findExecutable(QStringLiteral("pdffonts"));
        if (pdffonts.isEmpty()) QSKIP("pdffonts (poppler-utils) not installed");
        for (const char* view : {"attention", "grid", "entropy"}) {
            QProcess p;
            p.start(pdffonts, {m_dir.filePath(QStringLiteral("%1.pdf").arg(view))});
            QVERIFY(p.waitForFinished(20000));
            const QString out = QString::fromUtf8(p.readAllStandardOutput());
            QVERIFY2(out.contains(QLatin1String("TrueType")) || out.contains(QLatin1String("CID Type 0C")) ||
                         out.contains(QLatin1String("CID TrueType")),
                     qPrintable(out));
            QVERIFY2(!out.contains(QLatin1String("Type 3")), qPrintable(out));
        }
    }

    void timelineDrivesEveryView() {
        gui::MainWindow window;
        auto* inspect = window.findChild<gui::InspectController*>();
        QVERIFY(inspect);
        QVERIFY(window.openRunFile(m_run) > 0);
        for (gui::RunView* v : std::initializer_list<gui::RunView*>{
                 window.trainingView(), window.entropyView(), window.logitView(), window.sinksView()})
            v->flushUpdates();
        gui::StepTimeline* timeline = inspect->timeline();
        QCOMPARE(timeline->steps().size(), std::size_t(6)); // all snapshots
        timeline->setStep(30);
        QCOMPARE(timeline->step(), 30);
        QCOMPARE(window.attentionPanel()->shownSnapshot()->step, 30);
        QCOMPARE(window.sinksView()->profileStep(), 30);
        QCOMPARE(inspect->cursorStep(window.trainingView()->lossChart()), 30.0);
        QCOMPARE(inspect->cursorStep(window.entropyView()->meanChart()), 30.0);
        timeline->stepBy(1);
        QCOMPARE(window.attentionPanel()->shownSnapshot()->step, 40);
        QCOMPARE(inspect->cursorStep(window.entropyView()->meanChart()), 40.0);
        timeline->first();
        timeline->nextEvent(); // event at 35 → snapshot 40
        QCOMPARE(timeline->step(), 40);
        // The attention tab's own snapshot slider is a second handle on the same timeline.
        auto* slider = window.attentionPanel()->findChild<QSlider*>(QStringLiteral("attentionStep"));
        QVERIFY(slider);
        slider->setValue(1); // second snapshot: step 20
        QCOMPARE(window.attentionPanel()->shownSnapshot()->step, 20);
        QCOMPARE(timeline->step(), 20);
        QCOMPARE(inspect->cursorStep(window.trainingView()->lossChart()), 20.0);
        QCOMPARE(window.sinksView()->profileStep(), 20);
        QVERIFY(
            QSettings().value("recentFiles").toStringList().contains(QFileInfo(m_run).absoluteFilePath()));
    }

    void followsAFileBeingWritten() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/live.attnrun";
        RunHeader header;
        header.specJson = toJson(RunSpec{}).dump();
        header.tokenizerJson = Tokenizer::fromText("abc").toJson();
        RunWriter w = RunWriter::create(path.toStdString(), header);
        w.setStatus(RunStatus::Training, 0);
        w.appendSnapshot(makeSnapshot(10));
        gui::MainWindow window;
        auto* inspect = window.findChild<gui::InspectController*>();
        const int id = window.openRunFile(path);
        QVERIFY(id > 0);
        QVERIFY(inspect->follower(id));
        w.appendSnapshot(makeSnapshot(20));
        w.setStatus(RunStatus::Finished, 20);
        QTRY_COMPARE(window.registry().find(id)->snapshots.size(), std::size_t(2));
        QTRY_COMPARE(window.registry().find(id)->status, RunStatus::Finished);
    }

    void sampleRunsOpen() {
        const QStringList samples = gui::sampleRunFiles();
        if (samples.isEmpty()) QSKIP("no sample_runs/*.attnrun yet");
        gui::MainWindow window;
        for (const QString& path : samples) {
            QString error;
            QVERIFY2(window.openRunFile(path, &error) > 0, qPrintable(path + ": " + error));
        }
    }

    void appIconIsEmbedded() {
        // resources/attnscope.qrc reaches every program that links the GUI (not dropped by the linker).
        const QIcon icon = gui::appIcon();
        QCOMPARE(icon.availableSizes().size(), 7);
        QCOMPARE(icon.pixmap(QSize(256, 256)).size(), QSize(256, 256));
        QVERIFY(QFile::exists(QStringLiteral(":/icons/attnscope.svg")));
    }

    void cliPlotMatchesGuiExport() {
        // Tests run from <build>/tests; the CLI is built in <build>/cli.
        const QString cli = QCoreApplication::applicationDirPath() + QStringLiteral("/../cli/attnscope-cli");
        if (!QFileInfo::exists(cli)) QSKIP("attnscope-cli not built");
        for (const char* ext : {"pdf", "svg", "png"}) {
            const QString out = m_dir.filePath(QStringLiteral("cli-attention.%1").arg(ext));
            QProcess p;
            // As from a shell without a login session: no XDG_RUNTIME_DIR, and still not a word on stderr.
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
            p.setProcessEnvironment(env);
            p.start(cli,
                    {QStringLiteral("plot"), m_run, "--view", "attention", "--step", "30", "--layer", "1",
                     "--head", "2", "--width", "3.5in", "--height", "2.5in", "--dpi", "200", "--out", out});
            QVERIFY(p.waitForFinished(60000));
            const QByteArray err = p.readAllStandardError();
            QVERIFY2(p.exitCode() == 0, err.constData());
            QVERIFY2(err.isEmpty(), err.constData());
            const qint64 gui = QFileInfo(m_dir.filePath(QStringLiteral("attention.%1").arg(ext))).size();
            const qint64 cliSize = QFileInfo(out).size();
            QVERIFY2(std::abs(double(cliSize - gui)) <= 0.02 * double(gui) + 64,
                     qPrintable(QStringLiteral("%1 vs %2").arg(cliSize).arg(gui)));
        }
        double h = 0;
        QCOMPARE(pdfPageSizePt(m_dir.filePath("cli-attention.pdf"), &h), 252.0);
        QCOMPARE(h, 180.0);
        QCOMPARE(QImage(m_dir.filePath("cli-attention.png")), QImage(m_dir.filePath("attention.png")));
    }

private:
    QTemporaryDir m_dir;
    QString m_run;
};

QTEST_MAIN(TestInspect)
#include "tst_gui_inspect.moc"
