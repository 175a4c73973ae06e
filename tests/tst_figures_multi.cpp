// Figures of several runs: overlaid curves list each run once in the legend and keep every line
// under its run's name in the side-car; runs recorded at other steps line up on the union of the steps;
// small multiples share their axes; two runs' maps go side by side on one colour scale (and maps of other
// shapes are refused); the written files carry the runs' names.
#include "figures/curve_layout.h"
#include "figures/figure_input.h"
#include "figures/multi_figure.h"
#include "figures/palette.h"
#include "helpers/synthetic_run.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace attnscope;
using namespace attnscope::figures;

class TestFiguresMulti : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::vector<FigureInput> m_runs; // alpha (6 snapshots), beta (4 snapshots)
    FigureInput m_deep;              // 4 layers

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_runs.push_back(loadFigureInput(
            test::writeSyntheticRun(m_dir.path(), {.name = "alpha", .steps = 60}).toStdString()));
        m_runs.push_back(loadFigureInput(
            test::writeSyntheticRun(
                m_dir.path(),
                {.name = "beta", .steps = 40, .snapshotSteps = {10, 20, 30, 40}, .sharpness = 0.1})
                .toStdString()));
        // Preset runs are named "group/run"; the legend shows the distinct tail.
        m_runs[0].runName = "exp/alpha";
        m_runs[1].runName = "exp/beta";
        m_deep = loadFigureInput(
            test::writeSyntheticRun(m_dir.path(),
                                    {.name = "deep", .layers = 4, .steps = 30, .snapshotSteps = {10, 20, 30}})
                .toStdString());
    }

    void overlayListsRunsOnceAndAlignsSteps() {
        FigureRequest req;
        req.view = FigureView::Entropy;
        const CurveData d = overlayCurves(m_runs, req);
        QCOMPARE(d.lines.size(), std::size_t(2 * 3)); // 3 heads each
        QCOMPARE(d.x, std::vector<double>({10, 20, 30, 40, 50, 60}));
        QCOMPARE(d.lines[0].name, QString("exp/alpha · H0"));
        QCOMPARE(d.lines[3].name, QString("exp/beta · H0"));
        QVERIFY(std::isnan(d.lines[3].y[4]) && std::isnan(d.lines[3].y[5])); // beta stopped at 40
        QVERIFY(std::isfinite(d.lines[3].y[3]));
        // Lines of a run share its hue; the legend lists each run once, by its shortest distinct name.
        QImage dev(10, 10, QImage::Format_ARGB32_Premultiplied);
        FigureOptions options;
        const CurveLayout L = layoutCurves(QSizeF(3.5 * 72, 2.5 * 72), d, options, &dev);
        QCOMPARE(L.legend.entries.size(), std::size_t(2));
        QCOMPARE(legendText(d.lines[std::size_t(L.legend.entries[0])]), QString("alpha"));
        QCOMPARE(legendText(d.lines[std::size_t(L.legend.entries[1])]), QString("beta"));
        QVERIFY(L.legend.place != LegendLayout::Place::None);
        for (const QLineF& s : L.segments(d))
            QVERIFY2(!L.legend.rect.contains(s.p1()) && !L.legend.rect.contains(s.p2()),
                     "legend covers data");
        QVERIFY(d.lines[0].color != d.lines[3].color);
        // Without the app's colours, the runs take the colours they would take entering an empty workspace
        // in the order given (figures/palette.h): no colour twice, also past the eight Okabe–Ito ones.
        std::vector<FigureInput> many;
        for (int i = 0; i < 12; ++i) many.push_back(m_runs[std::size_t(i % 2)]);
        const std::vector<QColor> expected = runColors(12);
        for (int i = 0; i < 12; ++i) QCOMPARE(runColor(many[std::size_t(i)], i), expected[std::size_t(i)]);
        QCOMPARE(runColors(12)[0], runPalette()[0]);
        QCOMPARE(runColors(12)[8], extendedRunPalette()[0]);
        // The app's colours win over the default palette.
        std::vector<FigureInput> coloured = m_runs;
        coloured[1].color = QColor(0x12, 0x34, 0x56);
        QCOMPARE(overlayCurves(coloured, {.view = FigureView::Training}).lines[2].color,
                 QColor(0x12, 0x34, 0x56));
    }

    void panelsShareTheirAxes() {
        FigureRequest req;
        req.view = FigureView::Entropy;
        const std::vector<CurveData> heads = curvePanels(m_runs, req, Facet::Head);
        QCOMPARE(heads.size(), std::size_t(3));
        for (const CurveData& p : heads) {
            QCOMPARE(p.lines.size(), std::size_t(2));
            QVERIFY(p.yRange && p.xRange);
            QCOMPARE(*p.yRange, *heads.front().yRange);
            QCOMPARE(p.xRange->second, 60.0);
        }
        std::vector<FigureInput> three = m_runs;
        three.push_back(m_deep);
        QCOMPARE(curvePanels(three, req, Facet::Layer).size(), std::size_t(4)); // the deepest run's layers
        QCOMPARE(curvePanels(three, {.view = FigureView::Training}, Facet::Run).size(), std::size_t(3));
        bool refused = false;
        try {
            curvePanels(m_runs, {.view = FigureView::Training}, Facet::Layer);
        } catch (const std::exception& e) {
            refused = QString(e.what()).contains("per-head view");
        }
        QVERIFY(refused);
        const CurveData merged = mergeForSidecar(heads);
        QCOMPARE(merged.lines.size(), std::size_t(6));
        QCOMPARE(merged.lines[1].name, QString("L0 H0 · exp/beta · H0"));
    }

    void mapsSideBySideShareOneScale() {
        FigureRequest req;
        req.view = FigureView::Attention;
        req.layer = 1;
        req.head = 2;
        const MapData d = sideBySideMaps(m_runs, req);
        QCOMPARE(d.layers, 1);
        QCOMPARE(d.heads, 2);
        QCOMPARE(d.columnLabels, QStringList({"alpha", "beta"}));
        const MapData a = mapData(m_runs[0], req), b = mapData(m_runs[1], req);
        std::vector<float> both = a.values;
        both.insert(both.end(), b.values.begin(), b.values.end());
        QCOMPARE(d.values, both);
        req.view = FigureView::Grid;
        bool refused = false;
        try {
            sideBySideMaps({m_runs[0], m_deep}, req);
        } catch (const std::exception& e) {
            refused = QString(e.what()).contains("differ in shape");
        }
        QVERIFY(refused);
    }

    void exportedFilesNameTheRuns() {
        MultiRequest req;
        req.base.view = FigureView::Training;
        const QString pdf = m_dir.filePath("both.pdf");
        const ExportResult r = exportRuns(m_runs, req, FigureOptions{}, pdf);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(QFileInfo(pdf).size() > 1000);
        QFile csv(r.sidecarPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QString header = QString::fromUtf8(csv.readLine());
        QVERIFY2(header.contains("exp/alpha · train") && header.contains("exp/beta · validation"),
                 qPrintable(header));
        req.arrangement = Arrangement::Panels;
        req.facet = Facet::Run;
        const ExportResult png =
            exportRuns(m_runs, req, FigureOptions{.widthIn = 7.16}, m_dir.filePath("p.png"));
        QVERIFY2(png.ok, qPrintable(png.error));
        QCOMPARE(QImage(m_dir.filePath("p.png")).width(), int(std::lround(7.16 * 300)));
        req.base.view = FigureView::Attention;
        const ExportResult maps = exportRuns(m_runs, req, FigureOptions{}, m_dir.filePath("m.svg"));
        QVERIFY2(maps.ok, qPrintable(maps.error));
        QVERIFY(maps.sidecarPath.endsWith(".npy"));
    }
};

QTEST_MAIN(TestFiguresMulti)

#include "tst_figures_multi.moc"
