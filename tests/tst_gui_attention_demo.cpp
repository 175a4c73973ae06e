// Renders the attention widgets with realistic synthetic snapshots, checks the pictures are what the
// widgets claim (cells where the map is, masked grey where the mask is), and saves PNGs for a human to
// look at when ATTNSCOPE_DEMO_DIR is set:  ATTNSCOPE_DEMO_DIR=/tmp/attn ./tst_gui_attention_demo
#include "core/data/tokenizer.h"
#include "gui/attention/attention_grid_canvas.h"
#include "gui/attention/attention_grid_view.h"
#include "gui/attention/attention_heatmap.h"
#include "helpers/gui/synthetic_attention.h"

#include <QDir>
#include <QTest>

using namespace attnscope;

namespace {

const char* kProbe = "The quick brown fox jumps over the lazy dog.\nThe quick brown fox jumps over the lazy "
                     "dog again,\tand again: the fox, the dog, the end. Once more the quick brown fox!";

ModelConfig lsAlibiConfig(int layers, int heads, int window) {
    ModelConfig cfg;
    cfg.layers = layers;
    cfg.heads = heads;
    cfg.dModel = 16 * heads;
    cfg.lsAttention = true;
    cfg.globalHeads = 1;
    cfg.window = window;
    cfg.position = PositionScheme::Alibi;
    return cfg;
}

std::vector<std::int32_t> probeTokens(const Tokenizer& tok, int T) {
    auto ids = tok.encode(kProbe);
    ids.resize(std::size_t(T));
    return ids;
}

void save(const QPixmap& pm, const QString& name) {
    const QString dir = qEnvironmentVariable("ATTNSCOPE_DEMO_DIR");
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    const QString path = QDir(dir).filePath(name);
    QVERIFY(pm.save(path));
    qInfo("saved %s", qPrintable(path));
}

} // namespace

class TestGuiAttentionDemo : public QObject {
    Q_OBJECT
private slots:
    void heatmapWithLabels();
    void longProbeLogScale();
    void gridView();
    void differenceGrid();
    void probeLongerThanPixels();
};

void TestGuiAttentionDemo::heatmapWithLabels() {
    const Tokenizer tok = Tokenizer::fromText(kProbe);
    const ModelConfig cfg = lsAlibiConfig(2, 4, 8);
    AttentionHeatmap hm;
    hm.resize(760, 700);
    hm.setHead(makeSyntheticSnapshot(cfg, probeTokens(tok, 32), 1200, 3u, 1.3), &tok, cfg, 1, 1);
    hm.show();
    QVERIFY(QTest::qWaitForWindowExposed(&hm));
    QTest::mouseMove(&hm, hm.cellRect(20, 14).center()); // hover crosshair and highlighted labels
    const QPixmap pm = hm.grab();
    save(pm, QStringLiteral("heatmap_T32_local.png"));
    // Crisp cells: a whole number of pixels per cell, and every pixel inside a cell has its colour.
    const QImage img = pm.toImage();
    const QRect c = hm.cellRect(5, 0);
    QVERIFY(c.width() >= 8);
    QCOMPARE(c.width(), c.height());
    const QRgb expect = hm.cellImage().pixel(0, 5);
    for (int y = c.top() + 1; y < c.bottom(); ++y)
        for (int x = c.left() + 1; x < c.right(); ++x) QCOMPARE(img.pixel(x, y), expect);
    // A masked cell (key after the query) is neutral grey on screen.
    const QRect m = hm.cellRect(2, 30);
    QCOMPARE(img.pixel(m.center()), figures::Colormap::get(figures::ColormapKind::Viridis).maskedColor());
}

void TestGuiAttentionDemo::longProbeLogScale() {
    const Tokenizer tok = Tokenizer::fromText(kProbe);
    const ModelConfig cfg = lsAlibiConfig(2, 4, 16);
    AttentionHeatmap hm;
    hm.resize(760, 700);
    hm.setScale(figures::ColorScale::Log);
    hm.setHead(makeSyntheticSnapshot(cfg, probeTokens(tok, 128), 3000, 5u, 1.6), &tok, cfg, 1, 3);
    const QPixmap pm = hm.grab();
    save(pm, QStringLiteral("heatmap_T128_global_log.png"));
    QVERIFY(hm.cellRect(0, 0).width() >= 3);
    QCOMPARE(hm.colorNorm().scale(), figures::ColorScale::Log);
}

void TestGuiAttentionDemo::gridView() {
    const Tokenizer tok = Tokenizer::fromText(kProbe);
    const ModelConfig cfg = lsAlibiConfig(4, 4, 16);
    AttentionGridView view;
    view.resize(1500, 780);
    view.setSnapshot(makeSyntheticSnapshot(cfg, probeTokens(tok, 64), 2000, 11u, 1.4), &tok, cfg);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTest::mouseClick(view.grid(), Qt::LeftButton, {}, view.grid()->thumbnailRect(2, 1).center());
    save(view.grab(), QStringLiteral("grid_4x4_T64.png"));
    view.setColormap(figures::ColormapKind::Magma);
    view.setRangeMode(figures::RangeMode::Shared);
    save(view.grab(), QStringLiteral("grid_4x4_T64_magma_shared.png"));
    QCOMPARE(view.heatmap()->layer(), 2);
}

void TestGuiAttentionDemo::differenceGrid() {
    const Tokenizer tok = Tokenizer::fromText(kProbe);
    const ModelConfig cfg = lsAlibiConfig(3, 4, 16);
    const auto tokens = probeTokens(tok, 48);
    AttentionGridView view;
    view.resize(1500, 700);
    view.setSnapshot(makeSyntheticSnapshot(cfg, tokens, 2000, 11u, 1.6), &tok, cfg);
    view.setComparison(makeSyntheticSnapshot(cfg, tokens, 500, 11u, 0.8)); // same seed, earlier = softer
    view.selectHead(1, 3);
    save(view.grab(), QStringLiteral("grid_difference.png"));
    QVERIFY(view.heatmap()->isDifference());
}

void TestGuiAttentionDemo::probeLongerThanPixels() {
    // T = 300 in a 260 px widget: cells are below one pixel, so the map is peak-pooled, not sampled.
    ModelConfig cfg = lsAlibiConfig(1, 2, 32);
    std::vector<std::int32_t> tokens(300);
    for (std::size_t i = 0; i < tokens.size(); ++i) tokens[i] = std::int32_t(2 + i % 40);
    AttentionHeatmap hm;
    hm.resize(260, 240);
    hm.setHead(makeSyntheticSnapshot(cfg, tokens, 10, 4u, 2.0), nullptr, cfg, 0, 0);
    const QImage img = hm.grab().toImage();
    QVERIFY(hm.mapRect().width() < 300);
    QVERIFY(hm.mapRect().width() > 50);
    // The top-right corner of the map is masked, the bottom-left corner too (local head, w = 32).
    const QRgb grey = figures::Colormap::get(figures::ColormapKind::Viridis).maskedColor();
    QCOMPARE(img.pixel((hm.mapRect().topRight() + QPointF(-3, 3)).toPoint()), grey);
    QCOMPARE(img.pixel((hm.mapRect().bottomLeft() + QPointF(3, -3)).toPoint()), grey);
    QVERIFY(hm.cellAt(hm.mapRect().center()).x() >= 0);
    save(hm.grab(), QStringLiteral("heatmap_T300_tiny.png"));
}

QTEST_MAIN(TestGuiAttentionDemo)
#include "tst_gui_attention_demo.moc"
