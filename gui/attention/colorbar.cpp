#include "gui/attention/colorbar.h"

#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

constexpr int kTickLen = 4;
constexpr int kGap = 3;

int maxTicksFor(int barHeight, const QFontMetrics& fm) {
    return std::clamp(barHeight / (2 * fm.height()), 2, 8);
}

// Spacing that decides the decimals of tick labels; a lone tick uses its own order of magnitude.
double tickStep(const std::vector<double>& ticks) {
    if (ticks.size() >= 2) return ticks[1] - ticks[0];
    if (ticks.empty() || ticks[0] == 0.0) return 1.0;
    return std::pow(10.0, std::floor(std::log10(std::abs(ticks[0]))));
}

} // namespace

int Colorbar::preferredWidth(const ColorbarSpec& spec, const QFont& font) {
    const QFontMetrics fm(font);
    const auto ticks = spec.norm.ticks(8);
    int labelW = 0;
    for (double v : ticks)
        labelW = std::max(labelW,
                          fm.horizontalAdvance(figures::formatTick(v, spec.norm.scale(), tickStep(ticks))));
    const int titleW = spec.label.isEmpty() ? 0 : fm.height() + kGap;
    return kBarWidth + kTickLen + kGap + labelW + kGap + titleW;
}

void Colorbar::paint(QPainter& p, const QRect& area, const ColorbarSpec& spec, const QColor& ink) {
    const QFontMetrics fm(p.font());
    const figures::Colormap& cmap = figures::Colormap::get(spec.colormap);
    // The triangles take a bar-width-high strip at either end so the bar itself keeps linear geometry.
    const int tri = kBarWidth;
    QRect bar(area.left(), area.top(), kBarWidth, area.height());
    if (spec.extendHigh) bar.setTop(bar.top() + tri);
    if (spec.extendLow) bar.setBottom(bar.bottom() - tri);
    if (bar.height() < 4) return;

    QImage strip(1, figures::Colormap::kSize, QImage::Format_RGB32);
    for (int i = 0; i < figures::Colormap::kSize; ++i)
        strip.setPixel(0, figures::Colormap::kSize - 1 - i, cmap.entry(i));
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, true); // a gradient, unlike the cells, should blend
    p.drawImage(QRectF(bar), strip);
    p.setRenderHint(QPainter::Antialiasing, true);
    auto triangle = [&](bool top) {
        QPainterPath path;
        const double y0 = top ? bar.top() : bar.bottom() + 1, y1 = top ? area.top() : area.bottom() + 1;
        path.moveTo(bar.left(), y0);
        path.lineTo(bar.right() + 1, y0);
        path.lineTo(bar.left() + kBarWidth / 2.0, y1);
        path.closeSubpath();
        p.fillPath(path, QColor(cmap.entry(top ? figures::Colormap::kSize - 1 : 0)));
        p.setPen(QPen(ink, 0.8));
        p.drawPath(path);
    };
    if (spec.extendHigh) triangle(true);
    if (spec.extendLow) triangle(false);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(QPen(ink, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar.adjusted(0, 0, -1, -1));

    const auto ticks = spec.norm.ticks(maxTicksFor(bar.height(), fm));
    const double step = tickStep(ticks);
    int labelRight = bar.right();
    for (double v : ticks) {
        const double t = spec.norm.normalize(v);
        const int y = int(std::lround(bar.bottom() - t * (bar.height() - 1)));
        p.drawLine(bar.right() + 1, y, bar.right() + kTickLen, y);
        const QString s = figures::formatTick(v, spec.norm.scale(), step);
        const int x = bar.right() + kTickLen + kGap;
        const QRect r(x, y - fm.height() / 2, fm.horizontalAdvance(s) + 2, fm.height());
        p.drawText(r, Qt::AlignLeft | Qt::AlignVCenter, s);
        labelRight = std::max(labelRight, r.right());
    }
    if (!spec.label.isEmpty()) {
        p.save();
        p.translate(labelRight + kGap + fm.ascent(), bar.center().y());
        p.rotate(-90); // reads bottom-to-top, like matplotlib's colorbar label
        p.drawText(QRect(-bar.height() / 2, -fm.ascent(), bar.height(), fm.height()), Qt::AlignCenter,
                   fm.elidedText(spec.label, Qt::ElideRight, bar.height()));
        p.restore();
    }
    p.restore();
}

} // namespace attnscope
