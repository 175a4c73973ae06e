#include "figures/figure_painter.h"

#include <QFontMetricsF>
#include <QImage>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace attnscope::figures {

namespace {

// One map as an image with one pixel per cell, then enlarged by an integer factor so that it has about
// `dpi` pixels per inch where it is drawn: viewers then show sharp cells instead of a blurred upscale.
QImage cellImage(const float* v, int n, const ColorNorm& norm, const Colormap& cmap, double sidePt, int dpi) {
    QImage img(n, n, QImage::Format_RGB32);
    for (int i = 0; i < n; ++i) {
        auto* row = reinterpret_cast<QRgb*>(img.scanLine(i));
        for (int j = 0; j < n; ++j)
            row[j] = j > i ? cmap.maskedColor() : cmap.entry(norm.index(v[std::size_t(i) * n + j]));
    }
    const int factor = std::max(1, int(std::ceil(sidePt / 72.0 * dpi / n)));
    return factor == 1 ? img
                       : img.scaled(n * factor, n * factor, Qt::IgnoreAspectRatio, Qt::FastTransformation);
}

// Colour range over the visible (causal) cells. The top is the 99th percentile, not the maximum: query 0
// always puts weight 1 on itself, which would otherwise push every other weight into the darkest colours.
ValueRange rangeOf(const MapData& d) {
    std::vector<float> visible;
    const std::size_t cells = std::size_t(d.length) * d.length;
    for (std::size_t i = 0; i < d.values.size(); ++i) {
        const std::size_t cell = i % cells;
        if (cell % d.length > cell / d.length) continue; // masked (key after query)
        if (std::isfinite(d.values[i])) visible.push_back(d.difference ? std::abs(d.values[i]) : d.values[i]);
    }
    if (visible.empty()) return {0, 1};
    const auto q = visible.begin() + std::ptrdiff_t(0.99 * double(visible.size() - 1));
    std::nth_element(visible.begin(), q, visible.end());
    const double top = std::max(double(*q), 1e-6);
    return d.difference ? ValueRange{-top, top} : ValueRange{0, top};
}

// The smallest and largest visible (causal) value: what the colour range may have clipped.
ValueRange spanOf(const MapData& d) {
    const std::size_t cells = std::size_t(d.length) * d.length;
    double lo = INFINITY, hi = -INFINITY;
    for (std::size_t i = 0; i < d.values.size(); ++i) {
        const std::size_t cell = i % cells;
        if (cell % d.length > cell / d.length || !std::isfinite(d.values[i])) continue;
        lo = std::min(lo, double(d.values[i])), hi = std::max(hi, double(d.values[i]));
    }
    return std::isfinite(lo) ? ValueRange{lo, hi} : ValueRange{0, 0};
}

// Which ends of the colour range cut data off (matplotlib's extend="min"/"max"/"both").
struct Clipping {
    bool low = false, high = false;
    bool any() const { return low || high; }
};

Clipping clippingOf(const ValueRange& range, const ValueRange& span) {
    const double tolerance = 1e-6 * std::max(1.0, std::abs(range.hi - range.lo));
    return {span.lo<range.lo - tolerance, span.hi> range.hi + tolerance};
}

// "colours clipped at ±0.23 (arrows on the colour bar); data span −0.74 … +0.13".
QString clippingNote(const ValueRange& range, const ValueRange& span, bool difference) {
    const auto number = [](double v, bool sign) {
        const QString text = QString::number(std::abs(v), 'g', 2);
        return (v < 0 ? QStringLiteral("−") : sign ? QStringLiteral("+") : QString()) + text;
    };
    const QString at =
        difference ? QStringLiteral("±") + QString::number(range.hi, 'g', 2) : number(range.hi, false);
    return QStringLiteral("colours clipped at %1 (arrows on the colour bar); data span %2 … %3")
        .arg(at, number(span.lo, difference), number(span.hi, difference));
}

void paintColorbar(QPainter& p, const QRectF& bar, const ColorNorm& norm, const Colormap& cmap,
                   const QFont& font, const Clipping& clipping, const QString& label) {
    QImage strip(1, Colormap::kSize, QImage::Format_RGB32);
    for (int i = 0; i < Colormap::kSize; ++i) strip.setPixel(0, Colormap::kSize - 1 - i, cmap.entry(i));
    p.drawImage(bar, strip);
    p.setPen(QPen(Qt::black, 0.4));
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar);
    // Clipped ends get a triangle in the end colour pointing away from the bar.
    const double tip = bar.width();
    if (clipping.high) {
        p.setBrush(QColor(cmap.entry(Colormap::kSize - 1)));
        p.drawPolygon(QPolygonF({bar.topLeft(), bar.topRight(), QPointF(bar.center().x(), bar.top() - tip)}));
    }
    if (clipping.low) {
        p.setBrush(QColor(cmap.entry(0)));
        p.drawPolygon(
            QPolygonF({bar.bottomLeft(), bar.bottomRight(), QPointF(bar.center().x(), bar.bottom() + tip)}));
    }
    p.setBrush(Qt::NoBrush);
    p.setFont(font);
    const std::vector<double> ticks = norm.ticks(5);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    const QFontMetricsF fm(font, p.device());
    for (double v : ticks) {
        const double y = bar.bottom() - norm.normalize(v) * bar.height();
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 2, y));
        p.drawText(QPointF(bar.right() + 3, y + fm.capHeight() / 2), formatTick(v, ColorScale::Linear, step));
    }
    // What the colours mean, along the bar beyond its tick labels.
    p.save();
    p.translate(bar.right() + 3 + fm.horizontalAdvance(QStringLiteral("−0.00")) + 2, bar.center().y());
    p.rotate(90);
    p.drawText(QRectF(-bar.height() / 2 - 20, -fm.height(), bar.height() + 40, fm.height()), Qt::AlignCenter,
               label);
    p.restore();
}

// The title in as many lines as it needs, split at its " · " separators, never elided.
QStringList titleLines(const QString& text, const QFontMetricsF& fm, double width) {
    QStringList lines;
    QString current;
    for (const QString& part : text.split(QStringLiteral(" · "))) {
        const QString longer = current.isEmpty() ? part : current + QStringLiteral(" · ") + part;
        if (!current.isEmpty() && fm.horizontalAdvance(longer) > width) {
            lines << current;
            current = part;
        } else {
            current = longer;
        }
    }
    if (!current.isEmpty()) lines << current;
    return lines;
}

} // namespace

void paintMaps(QPainter& p, const QSizeF& sizePt, const MapData& d, const FigureOptions& options) {
    p.fillRect(QRectF(QPointF(0, 0), sizePt), Qt::white);
    QFont font(options.fontFamily);
    font.setPointSizeF(options.fontPt);
    const QFontMetricsF fm(font, p.device());
    const Colormap& cmap = Colormap::get(d.difference ? ColormapKind::Diverging : options.colormap);
    const ValueRange range = rangeOf(d), span = spanOf(d);
    const ColorNorm norm(range, ColorScale::Linear);
    const Clipping clipping = clippingOf(range, span);
    const bool grid = d.layers * d.heads > 1;

    QRectF area(QPointF(2, 2), sizePt - QSizeF(4, 4));
    if (options.title) {
        QFont bold = font;
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(Qt::black);
        const QFontMetricsF bfm(bold, p.device());
        // As many lines as it takes: a reader must see what is shown (the difference) and of which run.
        const QString full = d.detail.isEmpty() ? d.title : d.title + QStringLiteral(" · ") + d.detail;
        for (const QString& line : titleLines(full, bfm, area.width())) {
            const QRectF titleRect(area.left(), area.top(), area.width(), bfm.height());
            p.drawText(titleRect, Qt::AlignHCenter | Qt::AlignVCenter | Qt::TextWordWrap, line);
            area.setTop(titleRect.bottom() + 1);
        }
        area.setTop(area.top() + 2);
    }
    const QString clipNote = clipping.any() ? clippingNote(range, span, d.difference) : QString();
    if (options.colorbar) {
        // Bar plus the widest tick label ("−0.25"), the bar's rotated label and gaps.
        const double reserve = 7 + 3 + fm.horizontalAdvance(QStringLiteral("−0.000")) + 2 + fm.height() + 2;
        area.setRight(area.right() - reserve);
        area.setBottom(area.bottom() - fm.height() / 2 - (clipping.low ? 7 : 0)); // bottom tick, arrow
        area.setTop(area.top() + (clipping.high ? 7 : 0));
        if (!clipNote.isEmpty()) {
            // The note under everything, in as many lines as the width needs.
            const QRectF note =
                fm.boundingRect(QRectF(2, 0, sizePt.width() - 4, 1000), Qt::TextWordWrap, clipNote);
            const QRectF noteRect(2, sizePt.height() - 2 - note.height(), sizePt.width() - 4, note.height());
            p.setFont(font);
            p.setPen(Qt::black);
            p.drawText(noteRect, Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap, clipNote);
            area.setBottom(area.bottom() - note.height() - 2);
        }
    }

    // Axis labels take a text line on the left and at the bottom (single map) or head/layer names (grid).
    QFont small = font;
    // Position and token labels: never smaller than 7 pt (or the figure's own size when that is smaller).
    small.setPointSizeF(std::min(options.fontPt, std::max(7.0, options.fontPt * 0.9)));
    const QFontMetricsF sfm(small, p.device());
    const double labelW = grid ? fm.horizontalAdvance(QStringLiteral("L00")) + 4
                               : fm.height() + sfm.horizontalAdvance(QStringLiteral("<bos>")) + 3;
    // Named columns (runs side by side) get two lines of the small font; "H0" one line of the normal one.
    const double headH = d.columnLabels.isEmpty() ? fm.height() : 2 * sfm.height() + 1;
    const double labelH = grid ? headH : fm.height() + sfm.height() + 2;
    const double gap = grid ? 3 : 0;
    const double cellW = (area.width() - labelW - gap * (d.heads - 1)) / d.heads;
    const double cellH = (area.height() - labelH - gap * (d.layers - 1)) / d.layers;
    const double side = std::max(1.0, std::min(cellW, cellH));
    const double blockW = d.heads * side + gap * (d.heads - 1),
                 blockH = d.layers * side + gap * (d.layers - 1);
    const QPointF origin(area.left() + labelW + (area.width() - labelW - blockW) / 2,
                         area.top() + (grid ? headH : 0) + (area.height() - labelH - blockH) / 2);

    const std::size_t cells = std::size_t(d.length) * d.length;
    if (options.colorbar) // right beside the maps, as tall as they are, however wide the page is
        paintColorbar(p, QRectF(origin.x() + blockW + 6, origin.y(), 7, blockH), norm, cmap, font, clipping,
                      d.difference ? QStringLiteral("Δ attention weight")
                                   : QStringLiteral("attention weight"));
    p.setFont(font);
    for (int l = 0; l < d.layers; ++l)
        for (int h = 0; h < d.heads; ++h) {
            const QRectF r(origin.x() + h * (side + gap), origin.y() + l * (side + gap), side, side);
            const float* v = d.values.data() + (std::size_t(l) * d.heads + h) * cells;
            p.drawImage(r, cellImage(v, d.length, norm, cmap, side, options.dpi));
            p.setPen(QPen(QColor(0x88, 0x88, 0x88), 0.3));
            p.setBrush(Qt::NoBrush);
            p.drawRect(r);
            p.setPen(Qt::black);
            if (grid && l == 0 && h < d.columnLabels.size()) {
                const QRectF head(r.left() - gap / 2, r.top() - headH - 1, r.width() + gap, headH);
                p.setFont(small);
                p.drawText(head, Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap,
                           sfm.elidedText(d.columnLabels[h], Qt::ElideMiddle, 2 * head.width() - 4));
                p.setFont(font);
            } else if (grid && l == 0) {
                p.drawText(QRectF(r.left(), r.top() - fm.height() - 1, r.width(), fm.height()),
                           Qt::AlignCenter, QStringLiteral("H%1").arg(h));
            }
            if (grid && h == 0)
                p.drawText(QRectF(r.left() - labelW, r.top(), labelW - 3, r.height()),
                           Qt::AlignRight | Qt::AlignVCenter,
                           l < d.rowLabels.size() ? d.rowLabels[l] : QStringLiteral("L%1").arg(l));
        }
    if (grid) return;

    // Single map: token labels on both axes when they fit at the chosen size, otherwise position ticks.
    const QRectF r(origin, QSizeF(side, side));
    const double pitch = side / d.length;
    const bool tokens = pitch >= sfm.height() * 0.95 && d.tokenLabels.size() == d.length;
    const int every =
        tokens ? 1 : std::max(1, int(std::ceil(sfm.horizontalAdvance(QStringLiteral("000")) * 1.6 / pitch)));
    p.setFont(small);
    for (int i = 0; i < d.length; i += every) {
        const QString text = tokens ? d.tokenLabels[i] : QString::number(i);
        const double c = (i + 0.5) * pitch;
        p.drawText(QRectF(r.left() - labelW + fm.height(), r.top() + c - pitch / 2 - 4,
                          labelW - fm.height() - 2, pitch + 8),
                   Qt::AlignRight | Qt::AlignVCenter, text);
        p.drawText(QRectF(r.left() + c - 12, r.bottom() + 1, 24, sfm.height()),
                   Qt::AlignHCenter | Qt::AlignTop, text);
    }
    p.setFont(font);
    p.drawText(QRectF(r.left(), r.bottom() + sfm.height() + 1, r.width(), fm.height()), Qt::AlignCenter,
               QStringLiteral("key position"));
    p.save();
    p.translate(r.left() - labelW, r.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-r.height() / 2, 0, r.height(), fm.height()), Qt::AlignCenter,
               QStringLiteral("query position"));
    p.restore();
}

} // namespace attnscope::figures
