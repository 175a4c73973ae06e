#include "gui/attention/redraw_timing.h"
#include "gui/attention/attention_grid_view.h"
#include "gui/attention/synthetic_attention.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QImage>
#include <algorithm>
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
    std::vector<double> rebuild, firstPaint, repaint, recolor;
    QElapsedTimer timer;
    auto lap = [&timer](std::vector<double>& out) {
        out.push_back(double(timer.nsecsElapsed()) * 1e-6);
        timer.start();
    };
    for (int r = 0; r < n; ++r) {
        timer.start();
        view.setSnapshot(snaps[(r + 1) % 2], nullptr, cfg);
        lap(rebuild);
        view.render(&frame);
        lap(firstPaint);
        view.render(&frame);
        lap(repaint);
        view.setColormap(r % 2 ? ColormapKind::Viridis : ColormapKind::Magma);
        lap(recolor);
    }
    auto sample = [](std::vector<double>& v) {
        std::sort(v.begin(), v.end());
        return TimingSample{v[v.size() / 2], v.front()};
    };
    return {sample(rebuild), sample(recolor), sample(firstPaint), sample(repaint)};
}

} // namespace attnscope
