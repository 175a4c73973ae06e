#include "helpers/gui/redraw_timing.h"
#include "gui/attention/attention_grid_view.h"
#include "helpers/gui/synthetic_attention.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QImage>
#include <algorithm>
#include <ctime>
#include <vector>

namespace attnscope {

GridRedrawTiming measureGridRedraw(int layers, int heads, int length, int repeats, int width, int height) {
    ModelConfig cfg;
    cfg.layers = layers;
    cfg.heads = heads;
    cfg.dModel = 16 * heads;
    cfg.context = length;
    cfg.lsAttention = true;
    cfg.globalHeads = std::max(1, heads / 4);
    cfg.window = std::max(2, length / 8);
    cfg.position = PositionScheme::Alibi;
    std::vector<std::int32_t> tokens(std::size_t(std::max(1, length)));
    for (std::size_t i = 0; i < tokens.size(); ++i) tokens[i] = std::int32_t(2 + (i * 7) % 29);
    // Two different snapshots so every rebuild really recomputes (as during training).
    const SnapshotPtr snaps[2] = {makeSyntheticSnapshot(cfg, tokens, 100, 1u, 1.0),
                                  makeSyntheticSnapshot(cfg, tokens, 200, 2u, 1.5)};

    AttentionGridView view;
    view.setAttribute(Qt::WA_DontShowOnScreen); // laid out like a visible window, never mapped
    view.resize(width, height);
    view.show();
    view.setSnapshot(snaps[0], nullptr, cfg);
    QCoreApplication::processEvents();
    QImage frame(view.size(), QImage::Format_ARGB32_Premultiplied);
    view.render(&frame); // warm-up: fonts, glyph caches

    const int n = std::max(1, repeats);
    std::vector<double> wall[4], cpu[4]; // rebuild, recolor, first paint, repaint
    enum { Rebuild, Recolor, FirstPaint, Repaint };
    QElapsedTimer timer;
    std::clock_t c0 = 0;
    auto start = [&] {
        timer.start();
        c0 = std::clock();
    };
    auto lap = [&](int which) {
        wall[which].push_back(double(timer.nsecsElapsed()) * 1e-6);
        cpu[which].push_back(double(std::clock() - c0) * 1e3 / CLOCKS_PER_SEC);
        start();
    };
    for (int r = 0; r < n; ++r) {
        start();
        view.setSnapshot(snaps[(r + 1) % 2], nullptr, cfg);
        lap(Rebuild);
        view.render(&frame);
        lap(FirstPaint);
        view.render(&frame);
        lap(Repaint);
        view.setColormap(r % 2 ? figures::ColormapKind::Viridis : figures::ColormapKind::Magma);
        view.render(&frame); // the re-colouring itself happens when the stale images are painted
        lap(Recolor);
    }
    auto sample = [&](int which) {
        auto median = [](std::vector<double>& v) {
            std::sort(v.begin(), v.end());
            return v[v.size() / 2];
        };
        TimingSample t;
        t.median = median(wall[which]);
        t.min = wall[which].front();
        t.cpuMedian = median(cpu[which]);
        return t;
    };
    return {sample(Rebuild), sample(Recolor), sample(FirstPaint), sample(Repaint)};
}

} // namespace attnscope
