// Painting of the parts around and over the cells of AttentionHeatmap: token labels, axis titles, the
// window band of local heads and the hover crosshair.
#include "gui/attention/attention_heatmap.h"

#include <QPainter>
#include <algorithm>

void AttentionHeatmap::paintLabels(QPainter& p) const {
    const int T = m_field.length();
    const QFontMetrics lf(p.font());
    const QRectF map = m_layout.map;
    const double c = m_layout.cell;
    const int rowW = m_layout.rowLabelWidth, keyH = m_layout.keyLabelHeight;
    const QColor ink = palette().color(QPalette::Text);
    const QColor accent = palette().color(QPalette::Highlight);
    auto rowLabel = [&](int q, bool hovered) {
        const QRectF r(map.left() - kGap - rowW, map.top() + (q + 0.5) * c - lf.height() / 2.0, rowW,
                       lf.height());
        if (hovered) p.fillRect(r.adjusted(-2, 0, 2, 0), palette().color(QPalette::Base));
        p.setPen(hovered ? accent : ink);
        p.drawText(r, Qt::AlignRight | Qt::AlignVCenter, axisLabel(q));
    };
    auto keyLabel = [&](int k, bool hovered) {
        const double cx = map.left() + (k + 0.5) * c;
        p.setPen(hovered ? accent : ink);
        if (!m_layout.rotateKeys) {
            const int w = lf.horizontalAdvance(axisLabel(k)) + 4;
            const QRectF r(cx - w / 2.0, map.bottom() + kGap, w, lf.height());
            if (hovered) p.fillRect(r, palette().color(QPalette::Base));
            p.drawText(r, Qt::AlignCenter, axisLabel(k));
            return;
        }
        p.save();
        p.translate(cx, map.bottom() + kGap);
        p.rotate(-90);
        const QRectF r(-keyH, -lf.height() / 2.0, keyH, lf.height());
        if (hovered) p.fillRect(r.adjusted(0, 0, 0, 0), palette().color(QPalette::Base));
        p.drawText(r, Qt::AlignRight | Qt::AlignVCenter, axisLabel(k));
        p.restore();
    };
    for (int i = 0; i < T; i += m_layout.stride) {
        rowLabel(i, false);
        keyLabel(i, false);
    }
    if (m_hover.x() >= 0) {
        rowLabel(m_hover.y(), true);
        keyLabel(m_hover.x(), true);
    }
    // Axis titles.
    p.setPen(palette().color(QPalette::PlaceholderText));
    const double axisX = map.left() - kGap - rowW - kGap - lf.height();
    p.save();
    p.translate(axisX + lf.ascent(), map.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-map.height() / 2, -lf.ascent(), map.height(), lf.height()), Qt::AlignCenter,
               tr("query"));
    p.restore();
    p.drawText(QRectF(map.left(), map.bottom() + kGap + keyH + 1, map.width(), lf.height()), Qt::AlignCenter,
               tr("key"));
}

void AttentionHeatmap::paintBand(QPainter& p) const {
    const int T = m_field.length();
    const int w = m_tags.windowOf(m_head);
    if (w <= 0 || w >= T) return;
    // Staircase outline of the cells a local query sees: keys (q − w, q] on row q.
    const QRectF map = m_layout.map;
    const double c = m_layout.cell;
    QPolygonF poly;
    for (int q = 0; q < T; ++q) {
        poly << QPointF(map.left() + (q + 1) * c, map.top() + q * c)
             << QPointF(map.left() + (q + 1) * c, map.top() + (q + 1) * c);
    }
    for (int q = T - 1; q >= 0; --q) {
        const int left = std::max(0, q - w + 1);
        poly << QPointF(map.left() + left * c, map.top() + (q + 1) * c)
             << QPointF(map.left() + left * c, map.top() + q * c);
    }
    p.save();
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setBrush(Qt::NoBrush);
    // Dark ink: the outline borders the light-grey masked area on both sides of the band.
    QColor ink = palette().color(QPalette::Text);
    ink.setAlphaF(0.8f);
    p.setPen(QPen(ink, 0));
    p.drawPolygon(poly);
    p.restore();
}

void AttentionHeatmap::paintHover(QPainter& p) const {
    if (m_hover.x() < 0) return;
    const int T = m_field.length();
    const QRectF map = m_layout.map;
    const double c = m_layout.cell;
    const QRectF row(map.left(), map.top() + m_hover.y() * c, T * c, c);
    const QRectF col(map.left() + m_hover.x() * c, map.top(), c, T * c);
    p.save();
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(QColor(255, 255, 255, 140), 0));
    p.drawRect(row);
    p.drawRect(col);
    const QRectF cell(map.left() + m_hover.x() * c, map.top() + m_hover.y() * c, c, c);
    p.setPen(QPen(Qt::black, 0));
    p.drawRect(cell.adjusted(-1, -1, 1, 1));
    p.setPen(QPen(Qt::white, 0));
    p.drawRect(cell);
    p.restore();
}
