// The figure views added for the lessons' pages — extrapolation, value residual, extreme tokens and a sweep's
// LR sensitivity — drawn from the shipped sample runs and sweep through the one export path (PDF, SVG, PNG
// and the .csv side-car), on a logarithmic x axis where it spans decades; difference maps that clip their
// colour range say so (arrows on the colour bar, a note with the data span) and label their colour bar; a
// curve figure's step cursor is labelled.
#include "figures/curve_layout.h"
#include "figures/figure_export.h"
#include "figures/figure_painter.h"
#include "figures/palette.h"
#include "figures/sweep_figure.h"
#include "helpers/test_paths.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <QProcess>
#include <QStandardPaths>
#include <QSvgGenerator>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <functional>

using namespace attnscope;
using namespace attnscope::figures;

namespace {

std::string sample(const std::string& name) {
    return test::sourceDir() + "/sample_runs/" + name + ".attnrun";
}

QByteArray svgOf(const std::function<void(QPainter&, const QSizeF&)>& paint, const QSizeF& size) {
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setSize(size.toSize());
    svg.setViewBox(QRectF(QPointF(0, 0), size));
    svg.setResolution(72);
    {
        QPainter p(&svg);
        paint(p, size);
    }
    return buffer.data();
}

} // namespace

class TestFigureViews : public QObject {
    Q_OBJECT
private slots:
    void everyViewHasAName() {
        for (FigureView v : kAllViews) QCOMPARE(parseView(viewName(v)), std::optional<FigureView>(v));
        QCOMPARE(parseView("lr-sensitivity"), std::optional<FigureView>(FigureView::LrSensitivity));
    }

    void extrapolationIsLossAgainstLength() {
        const FigureInput in = loadFigureInput(sample("extrap-sinusoidal"));
        FigureRequest r;
        r.view = FigureView::Extrapolation;
        const CurveData d = curveData(in, r);
        QVERIFY(d.logX);
        QCOMPARE(d.x, (std::vector<double>{64, 96, 128, 256, 512}));
        QVERIFY(d.lines.front().y.back() > d.lines.front().y.front()); // sinusoidal rises past L
        // Decade ticks on the log axis, inside the range.
        QImage device(10, 10, QImage::Format_ARGB32);
        const CurveLayout L = layoutCurves(QSizeF(252, 180), d, FigureOptions{}, &device);
        QVERIFY(L.logX && L.xTicks.size() >= 2);
        for (const AxisTick& t : L.xTicks)
            QVERIFY(t.value >= L.xLo * (1 - 1e-9) && t.value <= L.xHi * (1 + 1e-9));
        // A run without evaluations says how to get them.
        const FigureInput none = loadFigureInput(sample("value-residual-vanilla"));
        QVERIFY_THROWS_EXCEPTION(std::exception, curveData(none, r));
    }

    void valueResidualAndExtremeTokensAreCurves() {
        FigureRequest r;
        r.view = FigureView::ValueResidual;
        const CurveData v = curveData(loadFigureInput(sample("value-residual-resformer")), r);
        QCOMPARE(int(v.lines.size()), 6); // one line per layer
        r.view = FigureView::ExtremeTokens;
        const CurveData e = curveData(loadFigureInput(sample("sinks-bigram-backcopy")), r);
        QCOMPARE(int(e.lines.size()), 1);
        QVERIFY(e.lines.front().y.back() > 0.9); // the sink over the dormant queries
    }

    void everyViewExportsWithItsData() {
        QTemporaryDir dir;
        FigureRequest r;
        for (const auto& [view, run] : {std::pair{FigureView::Extrapolation, "extrap-alibi"},
                                        {FigureView::ValueResidual, "value-residual-vanilla"},
                                        {FigureView::ExtremeTokens, "sinks-bigram-backcopy"}}) {
            r.view = view;
            const FigureInput in = loadFigureInput(sample(run));
            for (const char* ext : {"pdf", "svg", "png"}) {
                const QString path = dir.filePath(viewName(view) + "." + ext);
                const ExportResult result = exportFigure(in, r, FigureOptions{}, path);
                QVERIFY2(result.ok, qPrintable(result.error));
                QVERIFY(QFileInfo(path).size() > 0);
                QVERIFY(QFileInfo(result.sidecarPath).size() > 0);
            }
        }
        const SweepSummary sweep = readSweepSummary(test::sourceDir() + "/sample_runs/sweeps/lr-sensitivity");
        const CurveData lr = lrSensitivityCurves(sweep, QStringLiteral("lr-sensitivity"));
        QVERIFY(lr.logX);
        QCOMPARE(int(lr.x.size()), 5);
        QCOMPARE(int(lr.lines.size()), 5);
        for (const CurveLine& line : lr.lines)
            QVERIFY2(line.label.contains("LR sens."), qPrintable(line.label));
        // Variant v in its colour on the Sweeps page (figures/palette.h), numbered as the cells say.
        const std::vector<int> variants = sweepVariantOfCells(sweep);
        QCOMPARE(variants.size(), sweep.cells.size());
        QCOMPARE(*std::max_element(variants.begin(), variants.end()), 4);
        for (std::size_t v = 0; v < lr.lines.size(); ++v)
            QCOMPARE(lr.lines[v].color, sweepVariantColor(int(v)));
        for (std::size_t i = 0; i < sweep.cells.size(); ++i)
            if (sweep.cells[i].labels[std::size_t(sweep.lrAxis)] ==
                sweep.cells[0].labels[std::size_t(sweep.lrAxis)])
                QVERIFY(lr.lines[std::size_t(variants[i])].name.startsWith(
                    QString::fromStdString(sweep.cells[i].labels[0])));
        const QString pdf = dir.filePath("lr.pdf");
        const ExportResult result =
            exportLrSensitivity(sweep, QStringLiteral("lr-sensitivity"), FigureOptions{}, pdf);
        QVERIFY2(result.ok, qPrintable(result.error));
        QFile csv(result.sidecarPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readAll().contains("baseline"));
        const QString pdffonts = QStandardPaths::findExecutable(QStringLiteral("pdffonts"));
        if (pdffonts.isEmpty()) return;
        QProcess p;
        p.start(pdffonts, {pdf});
        QVERIFY(p.waitForFinished(30000));
        QVERIFY(!p.readAllStandardOutput().contains("Type 3"));
    }

    // The command line draws the same views: a sweep folder for lr-sensitivity, quietly (no Qt warnings).
    void plotCommandDrawsTheNewViews() {
        const QString plot =
            QCoreApplication::applicationDirPath() + QStringLiteral("/../cli/attnscope-plot");
        if (!QFileInfo::exists(plot)) QSKIP("attnscope-plot not built");
        QTemporaryDir dir;
        const QString sweep =
            QString::fromStdString(test::sourceDir() + "/sample_runs/sweeps/lr-sensitivity");
        const QString alibi = QString::fromStdString(sample("extrap-alibi"));
        const QStringList calls[] = {{sweep, "--view", "lr-sensitivity", "--out", dir.filePath("lr.svg")},
                                     {alibi, "--view", "extrapolation", "--out", dir.filePath("ex.png")},
                                     {alibi, "--view", "value-residual", "--out", dir.filePath("vr.pdf")},
                                     {alibi, "--view", "extreme-tokens", "--out", dir.filePath("et.pdf")}};
        for (const QStringList& args : calls) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
            p.setProcessEnvironment(env);
            p.start(plot, args);
            QVERIFY(p.waitForFinished(60000));
            const QByteArray err = p.readAllStandardError();
            QVERIFY2(p.exitCode() == 0, err.constData());
            QVERIFY2(err.isEmpty(), err.constData());
            QVERIFY(QFileInfo(args.last()).size() > 0);
        }
    }

    // A difference whose bulk is small but whose extremes are large: the colours clip, and the figure says
    // where and what the data span is; the colour bar says what it measures.
    void clippedDifferenceIsMarked() {
        MapData d;
        d.title = QStringLiteral("run · L0 H0");
        d.detail = QStringLiteral("Δ step 400 − step 100");
        d.layers = d.heads = 1;
        d.length = 16;
        d.difference = true;
        d.values.assign(16 * 16, 0.0f);
        for (int i = 0; i < 16; ++i)
            for (int j = 0; j <= i; ++j)
                d.values[std::size_t(i) * 16 + j] = 0.01f * float((i + j) % 5) - 0.02f;
        d.values[5 * 16 + 2] = -0.74f;
        d.values[9 * 16 + 9] = 0.13f;
        FigureOptions options;
        const QByteArray svg = svgOf([&](QPainter& p, const QSizeF& s) { paintMaps(p, s, d, options); },
                                     QSizeF(options.widthIn * 72, options.heightIn * 72));
        QVERIFY2(svg.contains("colours clipped at"), svg.left(400).constData());
        QVERIFY(svg.contains("span")); // "data span", possibly wrapped onto the next line
        QVERIFY(svg.contains("0.74"));
        QVERIFY(svg.contains("attention weight")); // "Δ attention weight" (the SVG escapes the Δ)
        // The full title, never elided.
        QVERIFY(svg.contains("step 400") && svg.contains("step 100"));
        // Unclipped plain maps carry no note.
        MapData plain = d;
        plain.difference = false;
        for (float& v : plain.values) v = 0.5f;
        const QByteArray plainSvg =
            svgOf([&](QPainter& p, const QSizeF& s) { paintMaps(p, s, plain, options); }, QSizeF(252, 180));
        QVERIFY(!plainSvg.contains("clipped"));
        QVERIFY(plainSvg.contains("attention weight"));
    }

    void lonelyCursorIsLabelled() {
        CurveData d;
        d.title = QStringLiteral("run · loss");
        d.xLabel = QStringLiteral("step");
        d.x = {0, 100, 200, 300};
        d.lines = {
            {QStringLiteral("train"), {3, 2.5, 2.2, 2.1}, attnscope::categoricalColor(0), false, {}, true}};
        d.cursor = 200;
        QImage device(10, 10, QImage::Format_ARGB32);
        const CurveLayout L = layoutCurves(QSizeF(252, 180), d, FigureOptions{}, &device);
        QCOMPARE(L.bText, QStringLiteral("step 200"));
        QVERIFY(!L.bLabelRect.isEmpty() && L.bLabelRect.bottom() <= L.plot.top());
    }
};

QTEST_MAIN(TestFigureViews)
#include "tst_figures_views.moc"
