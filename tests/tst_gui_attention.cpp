// Attention-map widgets: colormaps, colour ranges that ignore masked cells, tooltips, the layers × heads
// grid, difference mode, log scaling, and the printed redraw cost of an 8 × 8 grid at T = 128.
#include "core/data/tokenizer.h"
#include "figures/colormap.h"
#include "gui/attention/attention_grid_canvas.h"
#include "gui/attention/attention_grid_view.h"
#include "gui/attention/attention_heatmap.h"
#include "helpers/gui/redraw_timing.h"
#include "helpers/gui/synthetic_attention.h"

#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <limits>

using namespace attnscope;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// CIE L* of an sRGB colour: perceived lightness, the quantity viridis is designed to increase linearly.
double lightness(QRgb c) {
    auto lin = [](int v) {
        const double s = v / 255.0;
        return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
    };
    const double y = 0.2126 * lin(qRed(c)) + 0.7152 * lin(qGreen(c)) + 0.0722 * lin(qBlue(c));
    return y > 216.0 / 24389.0 ? 116.0 * std::cbrt(y) - 16.0 : y * 24389.0 / 27.0;
}

// A 1-layer, 1-head causal snapshot of T = 4 with known weights and logits; masked cells hold weight 0
// and logit NaN, exactly as the probe contract says.
std::shared_ptr<ProbeSnapshot> causal4(int step = 10) {
    auto s = std::make_shared<ProbeSnapshot>();
    s->step = step;
    s->layers = 1;
    s->heads = 1;
    s->length = 4;
    s->attention = {1.0f, 0,    0,    0, //
                    0.3f, 0.7f, 0,    0, //
                    0.2f, 0.3f, 0.5f, 0, //
                    0.1f, 0.2f, 0.3f, 0.4f};
    s->logits = {0.5f,   kNaN,  kNaN,  kNaN, //
                 -0.25f, 0.6f,  kNaN,  kNaN, //
                 0.1f,   0.5f,  1.0f,  kNaN, //
                 -1.5f,  1.25f, 0.75f, 2.0f};
    return s;
}

ModelConfig config(int layers, int heads) {
    ModelConfig cfg;
    cfg.layers = layers;
    cfg.heads = heads;
    cfg.dModel = 16 * heads;
    return cfg;
}

} // namespace

class TestGuiAttention : public QObject {
    Q_OBJECT
private slots:
    void viridisEndpointsAndLightness();
    void otherColormaps();
    void linearAndLogNorm();
    void ticks();
    void rangeExcludesMaskedCells();
    void logScaleInHeatmap();
    void pooledThumbnailKeepsPeaks();
    void tooltipNamesCharsWeightAndLogit();
    void titlesCarryWindowAndSlope();
    void differenceIsSymmetric();
    void gridBuildsCellsAndEmitsHeadSelected();
    void gridSharedRangeAndComparison();
    void redrawTime();
};

void TestGuiAttention::viridisEndpointsAndLightness() {
    const figures::Colormap& v = figures::Colormap::get(figures::ColormapKind::Viridis);
    QCOMPARE(v.entry(0), qRgb(68, 1, 84)); // matplotlib _viridis_data[0]   = (0.267004, 0.004874, 0.329415)
    QCOMPARE(v.entry(255), qRgb(253, 231, 37)); //             [255] = (0.993248, 0.906157, 0.143936)
    QCOMPARE(v.at(0.0), v.entry(0));
    QCOMPARE(v.at(1.0), v.entry(255));
    QCOMPARE(v.at(2.0), v.entry(255)); // clamped
    // Monotonic up to 8-bit rounding of the published table, and strictly increasing over 4 entries.
    for (int i = 1; i < figures::Colormap::kSize; ++i)
        QVERIFY2(lightness(v.entry(i)) > lightness(v.entry(i - 1)) - 0.25, qPrintable(QString::number(i)));
    for (int i = 4; i < figures::Colormap::kSize; ++i)
        QVERIFY(lightness(v.entry(i)) > lightness(v.entry(i - 4)));
    QVERIFY(lightness(v.entry(255)) - lightness(v.entry(0)) > 70); // L* ≈ 16 → 92
    QCOMPARE(figures::Colormap::get(figures::ColormapKind::Viridis).at(std::nan("")), v.maskedColor());
}

void TestGuiAttention::otherColormaps() {
    QCOMPARE(figures::Colormap::get(figures::ColormapKind::Magma).entry(0), qRgb(0, 0, 4));
    QCOMPARE(figures::Colormap::get(figures::ColormapKind::Magma).entry(255), qRgb(252, 253, 191));
    QCOMPARE(figures::Colormap::get(figures::ColormapKind::Cividis).entry(0), qRgb(0, 34, 78));
    for (figures::ColormapKind k : {figures::ColormapKind::Magma, figures::ColormapKind::Cividis}) {
        const figures::Colormap& c = figures::Colormap::get(k);
        for (int i = 8; i < figures::Colormap::kSize; i += 8)
            QVERIFY(lightness(c.entry(i)) > lightness(c.entry(i - 8)));
    }
    // Diverging: blue below, red above, near-white and symmetric in lightness around the centre.
    const figures::Colormap& d = figures::Colormap::get(figures::ColormapKind::Diverging);
    QVERIFY(qBlue(d.entry(0)) > qRed(d.entry(0)));
    QVERIFY(qRed(d.entry(255)) > qBlue(d.entry(255)));
    QVERIFY(lightness(d.at(0.5)) > 95);
    QVERIFY(std::abs(lightness(d.entry(20)) - lightness(d.entry(235))) < 8);
    QVERIFY(lightness(d.maskedColor()) < lightness(d.at(0.5)) - 15); // masked ≠ "no difference"
}

void TestGuiAttention::linearAndLogNorm() {
    const figures::ColorNorm lin({0.25, 0.75}, figures::ColorScale::Linear);
    QCOMPARE(lin.normalize(0.25), 0.0);
    QCOMPARE(lin.normalize(0.5), 0.5);
    QCOMPARE(lin.normalize(0.9), 1.0);
    // matplotlib binning: index = floor(t · 256), so each of the 256 colours covers an equal slice.
    QCOMPARE(lin.index(0.5f), 128);
    QCOMPARE(lin.index(0.25f), 0);
    QCOMPARE(lin.index(0.75f), 255);
    QCOMPARE(lin.index(0.2f), 0);
    QCOMPARE(lin.index(kNaN), 0);

    const figures::ColorNorm log({1e-3, 1.0}, figures::ColorScale::Log);
    QVERIFY(qFuzzyCompare(log.normalize(1e-2), 1.0 / 3.0));
    QVERIFY(qFuzzyCompare(log.normalize(1e-1), 2.0 / 3.0));
    QCOMPARE(log.normalize(1.0), 1.0);
    QCOMPARE(log.normalize(1e-6), 0.0);
    QCOMPARE(log.normalize(0.0), 0.0); // exact zeros (underflow) sit at the bottom, not NaN
    QCOMPARE(log.index(0.1f), 170);    // 2/3 · 255
    QVERIFY(qFuzzyCompare(log.value(0.5), std::sqrt(1e-3)));
    // A log range needs a positive floor: figures::kLogDecades below the maximum.
    QVERIFY(qFuzzyCompare(figures::logRange(0.0, 0.5).lo, 0.5e-4));
    QVERIFY(qFuzzyCompare(figures::logRange(1e-9, 0.5).lo, 0.5e-4));
    QVERIFY(qFuzzyCompare(figures::logRange(0.01, 0.5).lo, 0.01));
}

void TestGuiAttention::ticks() {
    const auto lin = figures::ColorNorm({0.0, 1.0}, figures::ColorScale::Linear).ticks(5);
    QCOMPARE(lin.size(), std::size_t(6));
    QCOMPARE(lin.front(), 0.0);
    QVERIFY(qFuzzyCompare(lin.back(), 1.0));
    const auto log = figures::ColorNorm({1e-4, 1.0}, figures::ColorScale::Log).ticks(8);
    QCOMPARE(log.size(), std::size_t(5));
    QCOMPARE(figures::formatTick(1e-3, figures::ColorScale::Log, 0), QStringLiteral("10⁻³"));
    QCOMPARE(figures::formatTick(-0.25, figures::ColorScale::Linear, 0.05), QStringLiteral("−0.25"));
    QCOMPARE(figures::formatTick(-0.0001, figures::ColorScale::Linear, 0.1), QStringLiteral("0.0"));
}

void TestGuiAttention::rangeExcludesMaskedCells() {
    AttentionHeatmap hm;
    hm.resize(400, 400);
    hm.setHead(causal4(), nullptr, config(1, 1), 0, 0);
    // Visible cells in rows with ≥ 2 keys span [0.1, 0.7]; the masked zeros would have pulled lo to 0,
    // and row 0 (weight 1 by construction) would have pinned hi to 1.
    QCOMPARE(hm.colorRange().lo, double(0.1f));
    QCOMPARE(hm.colorRange().hi, double(0.7f));
    const QImage& img = hm.cellImage();
    QCOMPARE(img.size(), QSize(4, 4));
    const figures::Colormap& v = figures::Colormap::get(figures::ColormapKind::Viridis);
    QCOMPARE(img.pixel(1, 0), v.maskedColor()); // (key 1, query 0) is masked
    QCOMPARE(img.pixel(3, 2), v.maskedColor());
    QCOMPARE(img.pixel(0, 3), v.entry(0));   // 0.1 = range low
    QCOMPARE(img.pixel(1, 1), v.entry(255)); // 0.7 = range high
    QCOMPARE(img.pixel(0, 0), v.entry(255)); // 1.0 clamps to the top (colorbar shows an arrow)
    QVERIFY(hm.field().hasValuesAbove(hm.colorRange()));
    QVERIFY(!hm.field().hasValuesBelow(hm.colorRange()));
    // Masked cells are never "visible", whatever their stored value.
    QVERIFY(!hm.field().isVisible(0, 1));
    QVERIFY(hm.field().isVisible(3, 0));
}

void TestGuiAttention::logScaleInHeatmap() {
    AttentionHeatmap hm;
    hm.resize(400, 400);
    hm.setHead(causal4(), nullptr, config(1, 1), 0, 0);
    hm.setScale(figures::ColorScale::Log);
    QCOMPARE(hm.colorNorm().scale(), figures::ColorScale::Log);
    QCOMPARE(hm.colorRange().lo, double(0.1f)); // smallest visible weight, well within 4 decades of 0.7
    QCOMPARE(hm.colorRange().hi, double(0.7f));
    const figures::Colormap& v = figures::Colormap::get(figures::ColormapKind::Viridis);
    // 0.3 sits at log(3)/log(7) of the way up: floor(0.5646 · 256) = 144.
    const int expected =
        int(std::log(double(0.3f) / double(0.1f)) / std::log(double(0.7f) / double(0.1f)) * 256);
    QCOMPARE(hm.cellImage().pixel(1, 2), v.entry(expected));
    QCOMPARE(hm.cellImage().pixel(2, 0), v.maskedColor());
}

void TestGuiAttention::pooledThumbnailKeepsPeaks() {
    // A previous-token head at T = 8 shrunk to 4 px: every 2×2 block holds one strong cell; averaging
    // would halve it and nearest-neighbour sampling would miss half the diagonal.
    auto s = std::make_shared<ProbeSnapshot>();
    s->layers = s->heads = 1;
    s->length = 8;
    s->attention.assign(64, 0.0f);
    s->logits.assign(64, kNaN);
    for (int q = 0; q < 8; ++q)
        for (int k = 0; k <= q; ++k) {
            s->attention[std::size_t(q * 8 + k)] = k == std::max(0, q - 1) ? 0.9f : 0.1f / float(q);
            s->logits[std::size_t(q * 8 + k)] = 0.0f;
        }
    const HeadField f = HeadField::attention(*s, 0, 0);
    const figures::Colormap& v = figures::Colormap::get(figures::ColormapKind::Viridis);
    const figures::ColorNorm norm({0.0, 0.9}, figures::ColorScale::Linear);
    const QImage img = f.renderPooled(norm, v, 4);
    QCOMPARE(img.size(), QSize(4, 4));
    for (int d = 0; d < 4; ++d) QCOMPARE(img.pixel(d, d), v.entry(255)); // the diagonal survives
    QCOMPARE(img.pixel(3, 0), v.maskedColor());                          // a fully masked block stays masked
    QCOMPARE(f.renderPooled(norm, v, 8), f.render(norm, v));             // no pooling at full size
}

void TestGuiAttention::tooltipNamesCharsWeightAndLogit() {
    const Tokenizer tok = Tokenizer::fromText("ab c");
    auto s = causal4();
    s->tokens = tok.encode("ab c");
    AttentionHeatmap hm;
    hm.setHead(s, &tok, config(1, 1), 0, 0);
    const QString tip = hm.cellToolTip(3, 1); // query 3 'c', key 1 'b'
    QVERIFY2(tip.contains(QStringLiteral("query 3 ‘c’")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("key 1 ‘b’")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("weight 0.2")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("logit 1.25")), qPrintable(tip));
    // Whitespace is visible in labels (Tokenizer::display).
    const QString spaceTip = hm.cellToolTip(2, 2);
    QVERIFY2(spaceTip.contains(QString::fromStdString("‘" + tok.display(s->tokens[2]) + "’")),
             qPrintable(spaceTip));
    QVERIFY(!spaceTip.contains(QStringLiteral("‘ ’")));
    QVERIFY(hm.cellToolTip(1, 3).contains(QStringLiteral("masked")));
    QVERIFY(hm.cellToolTip(9, 0).isEmpty());
}

void TestGuiAttention::titlesCarryWindowAndSlope() {
    ModelConfig cfg = config(2, 4);
    cfg.lsAttention = true;
    cfg.globalHeads = 1;
    cfg.window = 32;
    cfg.position = PositionScheme::Alibi;
    const HeadTags tags = HeadTags::fromConfig(cfg);
    // alibiSlopes(4) = 1/4, 1/16, 1/64, 1/256
    QCOMPARE(headTitle(tags, 1, 1), QStringLiteral("L1 H1 · local w=32 · m=1/16"));
    QCOMPARE(headTitle(tags, 0, 3), QStringLiteral("L0 H3 · global · m=1/256"));
    QCOMPARE(alibiSlopeLabel(std::pow(2.0, -1.5)), QStringLiteral("m=2^−1.5"));
    QCOMPARE(headTitle(HeadTags::fromConfig(config(2, 4)), 1, 2), QStringLiteral("L1 H2"));

    AttentionHeatmap hm;
    hm.setHead(causal4(), nullptr, cfg, 0, 0);
    QCOMPARE(hm.title(), QStringLiteral("L0 H0 · local w=32 · m=1/4"));
}

void TestGuiAttention::differenceIsSymmetric() {
    auto a = causal4(300);
    auto b = causal4(100);
    b->attention[4] = 0.6f;  // (q1, k0): A − B = 0.3 − 0.6 = −0.3
    b->attention[5] = 0.4f;  // (q1, k1): A − B = +0.3
    b->attention[15] = 0.5f; // (q3, k3): A − B = −0.1
    AttentionHeatmap hm;
    hm.resize(400, 400);
    hm.setHead(a, nullptr, config(1, 1), 0, 0);
    hm.setComparison(b);
    QVERIFY(hm.isDifference());
    QCOMPARE(hm.effectiveColormap(), figures::ColormapKind::Diverging);
    QVERIFY(qFuzzyCompare(-hm.colorRange().lo, hm.colorRange().hi));
    QVERIFY(std::abs(hm.colorRange().hi - 0.3) < 1e-6);
    hm.setScale(figures::ColorScale::Log); // ignored: a signed difference has no log axis
    QCOMPARE(hm.colorNorm().scale(), figures::ColorScale::Linear);
    const figures::Colormap& d = figures::Colormap::get(figures::ColormapKind::Diverging);
    QCOMPARE(hm.cellImage().pixel(0, 0), d.entry(128)); // no change → centre (white)
    QCOMPARE(hm.cellImage().pixel(1, 1), d.entry(255));
    QCOMPARE(hm.cellImage().pixel(0, 1), d.entry(0));
    QCOMPARE(hm.cellImage().pixel(3, 0), d.maskedColor());
    QVERIFY(hm.subtitle().contains(QStringLiteral("300")) && hm.subtitle().contains(QStringLiteral("100")));
    QVERIFY(hm.cellToolTip(1, 0).contains(QStringLiteral("Δ weight −0.3")));
    // A shared range given to a difference map is made symmetric so white stays at 0.
    hm.setRangeOverride(figures::ValueRange{-0.1, 0.5});
    QCOMPARE(hm.colorRange().lo, -0.5);
    hm.setComparison(nullptr);
    QVERIFY(!hm.isDifference());
}

void TestGuiAttention::gridBuildsCellsAndEmitsHeadSelected() {
    ModelConfig cfg = config(3, 4);
    cfg.lsAttention = true;
    cfg.window = 4;
    const Tokenizer tok = Tokenizer::fromText("the quick brown fox");
    const auto tokens = tok.encode("the quick brown fox");
    AttentionGridView view;
    view.resize(1200, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshot(makeSyntheticSnapshot(cfg, tokens, 50, 7u), &tok, cfg);
    AttentionGridCanvas* grid = view.grid();
    QCOMPARE(grid->layers(), 3);
    QCOMPARE(grid->heads(), 4);
    QRect all;
    for (int l = 0; l < 3; ++l)
        for (int h = 0; h < 4; ++h) {
            const QRect r = grid->thumbnailRect(l, h);
            QVERIFY(r.width() >= 40 && r.height() == r.width());
            QVERIFY(!all.intersects(r) || all.isNull() || r.topLeft() != all.topLeft());
            QCOMPARE(grid->headAt(r.center()), QPoint(l, h));
            // Thumbnails of a short probe are whole multiples of T: every cell an equal square.
            QCOMPARE(grid->thumbnail(l, h).width() % int(tokens.size()), 0);
            all = all.united(r);
        }
    QSignalSpy spy(&view, &AttentionGridView::headSelected);
    QTest::mouseClick(grid, Qt::LeftButton, {}, grid->thumbnailRect(2, 3).center());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 2);
    QCOMPARE(spy.at(0).at(1).toInt(), 3);
    QCOMPARE(view.heatmap()->layer(), 2);
    QCOMPARE(view.heatmap()->head(), 3);
    QVERIFY(view.heatmap()->title().startsWith(QStringLiteral("L2 H3 · global")));
    // Keyboard navigation moves the selection and reports it as a user choice too.
    grid->setFocus();
    QTest::keyClick(grid, Qt::Key_Left);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(view.heatmap()->head(), 2);
    // A click outside every thumbnail selects nothing.
    QTest::mouseClick(grid, Qt::LeftButton, {}, QPoint(2, 2));
    QCOMPARE(spy.count(), 2);
    // New data keeps the selection.
    view.setSnapshot(makeSyntheticSnapshot(cfg, tokens, 60, 8u), &tok, cfg);
    QCOMPARE(view.selectedLayer(), 2);
    QCOMPARE(view.selectedHead(), 2);
    // No snapshot: empty grid and placeholder text, no crash on paint or click.
    view.setSnapshot(nullptr, &tok, cfg);
    QCOMPARE(grid->layers(), 0);
    QVERIFY(!view.grab().isNull());
    QTest::mouseClick(grid, Qt::LeftButton, {}, QPoint(60, 60));
    QCOMPARE(spy.count(), 2);
}

void TestGuiAttention::gridSharedRangeAndComparison() {
    ModelConfig cfg = config(2, 2);
    const std::vector<std::int32_t> tokens{2, 3, 4, 5, 6, 7, 8, 9};
    AttentionGridView view;
    view.resize(900, 500);
    view.setSnapshot(makeSyntheticSnapshot(cfg, tokens, 500, 1u), nullptr, cfg);
    view.setRangeMode(figures::RangeMode::Shared);
    const figures::ValueRange r00 = view.grid()->rangeOf(0, 0);
    QCOMPARE(view.grid()->rangeOf(1, 1), r00);
    QCOMPARE(view.heatmap()->colorRange(), r00); // the enlarged map uses the thumbnails' colours
    view.setRangeMode(figures::RangeMode::Fixed);
    QCOMPARE(view.heatmap()->colorRange(), (figures::ValueRange{0, 1}));
    view.setRangeMode(figures::RangeMode::Shared);

    view.setComparison(makeSyntheticSnapshot(cfg, tokens, 200, 2u));
    QVERIFY(view.grid()->isDifference());
    QVERIFY(view.heatmap()->isDifference());
    const figures::ValueRange d = view.grid()->rangeOf(1, 0);
    QCOMPARE(d.lo, -d.hi);
    QCOMPARE(view.heatmap()->colorRange(), d);
    QVERIFY(view.comparisonStatus().contains(QStringLiteral("500 − step 200")));

    // Mismatched shapes: comparison is reported and switched off rather than comparing wrong cells.
    view.setComparison(makeSyntheticSnapshot(config(1, 2), tokens, 200, 2u));
    QVERIFY(!view.grid()->isDifference());
    QVERIFY(view.comparisonStatus().startsWith(QStringLiteral("Cannot difference")));
    QVERIFY(view.comparisonWarned());
    view.setComparison(nullptr);
    QVERIFY(view.comparisonStatus().isEmpty());
}

void TestGuiAttention::redrawTime() {
    // A measurement, not a test (timing depends on the machine; the budget is one 16 ms frame): set
    // ATTNSCOPE_MEASURE_REDRAW=1 to print it.
    if (qEnvironmentVariableIntValue("ATTNSCOPE_MEASURE_REDRAW") <= 0) QSKIP("set ATTNSCOPE_MEASURE_REDRAW=1");
    const GridRedrawTiming t = measureGridRedraw(8, 8, 128, 15);
    auto line = [](const char* what, const TimingSample& s) {
        qInfo("  %-34s median %6.2f ms  min %6.2f ms  cpu %6.2f ms", what, s.median, s.min, s.cpuMedian);
    };
    qInfo("attention grid, 8 layers x 8 heads, T=128, 1600x900 view (budget: 16 ms frame)");
    line("repaint (hover, expose)", t.repaint);
    line("new snapshot: rebuild", t.rebuild);
    line("new snapshot: first paint", t.firstPaint);
    line("colormap change + paint", t.recolor);
}

QTEST_MAIN(TestGuiAttention)
#include "tst_gui_attention.moc"
