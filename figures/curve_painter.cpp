// Curve figures drawn with QPainter alone (no widget library): the layout (curve_layout.h) says where
// everything goes, this file only draws it in print style — thin black axes with outward ticks, light grid,
// 1 pt lines in colour-blind-safe colours, the step cursors of the app in grey.
#include "figures/curve_layout.h"
#include "figures/figure_painter.h"

#include <QPainter>
#include <QPainterPath>
#include <cmath>

namespace attnscope::figures {

namespace {

const QColor kGrid(0xdd, 0xdd, 0xdd);
const QColor kCursorB(0x55, 0x55, 0x55);
const QColor kCursorA(0x1a, 0x1a, 0x1a);

QPen linePen(const CurveLine& line) {
    QPen pen(line.color, 1.0);
    pen.setCapStyle(Qt::FlatCap);
    pen.setJoinStyle(Qt::RoundJoin);
    if (line.dashed) pen.setStyle(Qt::DashLine);
    return pen;
}

void paintSeries(QPainter& p, const CurveLayout& L, const CurveData& data) {
    for (const CurveLine& line : data.lines) {
        QPolygonF points;
        for (std::size_t i = 0; i < data.x.size() && i < line.y.size(); ++i)
            if (std::isfinite(line.y[i]) && (!L.logY || line.y[i] > 0)) points << L.map(data.x[i], line.y[i]);
        if (points.isEmpty()) continue;
        p.setPen(linePen(line));
        p.setBrush(Qt::NoBrush);
        p.drawPolyline(points);
        // Sparse series (validation every N steps) would be invisible as bare line segments.
        if (points.size() < 0.5 * double(data.x.size())) {
            p.setPen(QPen(line.color, 0.8));
            p.setBrush(Qt::white);
            for (const QPointF& pt : points) p.drawEllipse(pt, 1.5, 1.5);
        }
    }
}

void paintCursor(QPainter& p, const CurveLayout& L, double step, const QPen& pen) {
    if (step < L.xLo || step > L.xHi) return;
    const double x = L.map(step, L.yLo).x();
    p.setPen(pen);
    p.drawLine(QPointF(x, L.plot.top()), QPointF(x, L.plot.bottom()));
}

void paintAxes(QPainter& p, const CurveLayout& L) {
    const QPen axis(Qt::black, 0.5);
    p.setPen(axis);
    p.drawLine(L.plot.bottomLeft(), L.plot.bottomRight());
    p.drawLine(L.plot.bottomLeft(), L.plot.topLeft());
    p.setFont(L.font);
    for (const AxisTick& t : L.xTicks) {
        const double x = L.map(t.value, L.yLo).x();
        p.drawLine(QPointF(x, L.plot.bottom()), QPointF(x, L.plot.bottom() + 3));
        p.drawText(t.labelRect, Qt::AlignHCenter | Qt::AlignTop, t.label);
    }
    for (double v : L.yMinorTicks) {
        const double y = L.map(L.xLo, v).y();
        p.drawLine(QPointF(L.plot.left() - 1.5, y), QPointF(L.plot.left(), y));
    }
    for (const AxisTick& t : L.yTicks) {
        const double y = L.map(L.xLo, t.value).y();
        p.drawLine(QPointF(L.plot.left() - 3, y), QPointF(L.plot.left(), y));
        p.drawText(t.labelRect, Qt::AlignRight | Qt::AlignVCenter, t.label);
    }
}

void paintLegend(QPainter& p, const CurveLayout& L, const CurveData& data) {
    const LegendLayout& g = L.legend;
    if (g.place == LegendLayout::Place::None) return;
    if (g.place == LegendLayout::Place::Corner) {
        p.setPen(QPen(QColor(0xbb, 0xbb, 0xbb), 0.4));
        p.setBrush(QColor(255, 255, 255, 235));
        p.drawRect(g.rect);
    }
    p.setFont(L.font);
    for (std::size_t k = 0; k < g.entries.size(); ++k) {
        const CurveLine& line = data.lines[std::size_t(g.entries[k])];
        const int row = int(k) / g.columns, col = int(k) % g.columns;
        const QPointF origin(g.rect.left() + 3 + col * g.columnWidth, g.rect.top() + 1 + row * g.rowHeight);
        const double cy = origin.y() + g.rowHeight / 2;
        p.setPen(linePen(line));
        p.drawLine(QPointF(origin.x(), cy), QPointF(origin.x() + 12, cy));
        p.setPen(Qt::black);
        p.drawText(QRectF(origin.x() + 15, origin.y(), g.columnWidth - 15, g.rowHeight),
                   Qt::AlignLeft | Qt::AlignVCenter, legendText(line));
    }
}

} // namespace

void paintCurves(QPainter& p, const QSizeF& sizePt, const CurveData& data, const FigureOptions& options) {
    const CurveLayout L = layoutCurves(sizePt, data, options, p.device());
    p.fillRect(QRectF(QPointF(0, 0), sizePt), Qt::white);

    p.setPen(QPen(kGrid, 0.4));
    for (const AxisTick& t : L.yTicks) {
        const double y = L.map(L.xLo, t.value).y();
        p.drawLine(QPointF(L.plot.left(), y), QPointF(L.plot.right(), y));
    }
    for (const AxisTick& t : L.xTicks) {
        const double x = L.map(t.value, L.yLo).x();
        p.drawLine(QPointF(x, L.plot.top()), QPointF(x, L.plot.bottom()));
    }

    p.save();
    p.setClipRect(L.plot.adjusted(-1, -1, 1, 1));
    paintSeries(p, L, data);
    // The app's step cursors in print colours: B grey and dashed, A near-black and dash-dotted.
    if (data.cursor >= 0) paintCursor(p, L, data.cursor, QPen(kCursorB, 0.6, Qt::DashLine));
    if (data.pinCursor >= 0) paintCursor(p, L, data.pinCursor, QPen(kCursorA, 0.6, Qt::DashDotLine));
    p.restore();

    paintAxes(p, L);
    p.setPen(Qt::black);
    p.setFont(L.font);
    if (!L.xLabelRect.isEmpty()) p.drawText(L.xLabelRect, Qt::AlignCenter, data.xLabel);
    if (!L.yLabelRect.isEmpty()) {
        p.save();
        p.translate(L.yLabelRect.left(), L.yLabelRect.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-L.yLabelRect.height() / 2, 0, L.yLabelRect.height(), L.yLabelRect.width()),
                   Qt::AlignCenter, data.yLabel);
        p.restore();
    }
    QFont bold = L.font;
    bold.setBold(true);
    p.setFont(bold);
    if (!L.aLabelRect.isEmpty()) {
        p.setPen(kCursorA);
        p.drawText(L.aLabelRect, Qt::AlignCenter, QStringLiteral("A"));
    }
    if (!L.bLabelRect.isEmpty()) {
        p.setPen(kCursorB);
        p.drawText(L.bLabelRect, Qt::AlignCenter, L.bText);
    }
    paintLegend(p, L, data);
    p.setPen(Qt::black);
    p.setFont(L.titleFont);
    for (std::size_t i = 0; i < L.titleRects.size(); ++i)
        p.drawText(L.titleRects[i], Qt::AlignHCenter | Qt::AlignVCenter, L.titleLines[qsizetype(i)]);
}

} // namespace attnscope::figures
