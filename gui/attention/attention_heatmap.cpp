#include "gui/attention/attention_heatmap.h"

#include <QEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <algorithm>
#include <cmath>

using namespace attnscope;

namespace {

QFont labelFont(const QFont& base) {
    QFont f(base);
    f.setPointSizeF(base.pointSizeF() * 0.9);
    return f;
}

QFont titleFont(const QFont& base) {
    QFont f(base);
    f.setBold(true);
    return f;
}

// Label stride: powers of two, since probe lengths usually are, so labelled indices stay round.
int labelStride(double cell, int pitch) {
    int s = 1;
    while (s * cell < pitch && s < (1 << 20)) s *= 2;
    return s;
}

} // namespace

AttentionHeatmap::AttentionHeatmap(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void AttentionHeatmap::setHead(SnapshotPtr s, const Tokenizer* tok, const ModelConfig& cfg, int layer,
                               int head) {
    const QStringList labels = s ? tokenLabels(s->tokens, tok) : QStringList();
    setHead(std::move(s), labels, HeadTags::fromConfig(cfg), layer, head);
}

void AttentionHeatmap::setHead(SnapshotPtr s, const QStringList& labels, const HeadTags& tags, int layer,
                               int head) {
    m_snapshot = std::move(s);
    m_labels = labels;
    m_tags = tags;
    m_layer = layer;
    m_head = head;
    rebuild();
}

void AttentionHeatmap::setComparison(SnapshotPtr other) {
    m_other = std::move(other);
    rebuild();
}

void AttentionHeatmap::setColormap(figures::ColormapKind kind) {
    if (kind == m_colormap) return;
    m_colormap = kind;
    recolor();
}

void AttentionHeatmap::setScale(figures::ColorScale scale) {
    if (scale == m_scale) return;
    m_scale = scale;
    recolor();
}

void AttentionHeatmap::setRangeOverride(std::optional<figures::ValueRange> range) {
    if (range == m_rangeOverride) return;
    m_rangeOverride = range;
    recolor();
}

figures::ColormapKind AttentionHeatmap::effectiveColormap() const {
    return m_field.isDifference() ? figures::ColormapKind::Diverging : m_colormap;
}

QString AttentionHeatmap::title() const {
    return m_snapshot ? headTitle(m_tags, m_layer, m_head) : QString();
}

QString AttentionHeatmap::subtitle() const {
    if (!m_snapshot) return {};
    if (!m_field.isDifference()) return QStringLiteral("step %1").arg(m_snapshot->step);
    return QStringLiteral("Δ step %1 − %2")
        .arg(m_snapshot->step)
        .arg(m_otherLabel.isEmpty() ? QStringLiteral("step %1").arg(m_other->step) : m_otherLabel);
}

void AttentionHeatmap::setComparisonLabel(const QString& label) {
    if (label == m_otherLabel) return;
    m_otherLabel = label;
    update();
}

QString AttentionHeatmap::cellToolTip(int query, int key) const {
    if (!m_snapshot || m_field.isEmpty()) return {};
    const ProbeSnapshot* other = m_field.isDifference() ? m_other.get() : nullptr;
    return attnscope::cellToolTip(*m_snapshot, other, m_labels, m_tags, m_layer, m_head, query, key);
}

void AttentionHeatmap::rebuild() {
    m_field = {};
    if (m_snapshot) {
        const int window = m_tags.windowOf(m_head);
        if (m_other && HeadField::sameShape(*m_snapshot, *m_other))
            m_field = HeadField::difference(*m_snapshot, *m_other, m_layer, m_head, window, window);
        if (m_field.isEmpty()) m_field = HeadField::attention(*m_snapshot, m_layer, m_head, window);
    }
    m_hover = {-1, -1};
    recolor();
}

void AttentionHeatmap::recolor() {
    const bool diff = m_field.isDifference();
    // Differences are signed, so a log axis has no meaning for them.
    const figures::ColorScale scale = diff ? figures::ColorScale::Linear : m_scale;
    figures::ValueRange range = m_rangeOverride ? *m_rangeOverride : m_field.naturalRange(scale);
    if (diff) {
        const double m = std::max(std::abs(range.lo), std::abs(range.hi)); // white must stay at 0
        range = {-m, m};
    }
    m_norm = figures::ColorNorm(range, scale);
    m_image = m_field.render(m_norm, figures::Colormap::get(effectiveColormap()));
    m_scaledImage = {};
    relayout();
    update();
}

ColorbarSpec AttentionHeatmap::colorbarSpec() const {
    ColorbarSpec spec;
    spec.colormap = effectiveColormap();
    spec.norm = m_norm;
    spec.label = m_field.isDifference()                ? QStringLiteral("Δ attention weight")
                 : m_scale == figures::ColorScale::Log ? QStringLiteral("attention weight (log)")
                                                       : QStringLiteral("attention weight");
    spec.extendLow = m_field.hasValuesBelow(m_norm.range());
    spec.extendHigh = m_field.hasValuesAbove(m_norm.range());
    return spec;
}

QString AttentionHeatmap::axisLabel(int index) const {
    const QString tok = index < m_labels.size() ? m_labels[index] : QString();
    // Thinned labels carry their index: a lone character every 8 positions says little about where it is.
    return m_layout.stride > 1 ? QStringLiteral("%1 %2").arg(index).arg(tok) : tok;
}

void AttentionHeatmap::relayout() {
    const int T = m_field.length();
    m_layout = {};
    if (T == 0) return;
    const QFontMetrics lf(labelFont(font())), tf(titleFont(font()));
    const int titleH = tf.height() + kGap;
    const int axisT = lf.height();
    const int cbW = Colorbar::preferredWidth(colorbarSpec(), labelFont(font()));
    const double dpr = devicePixelRatioF();
    auto maxLabelWidth = [&](int stride) {
        m_layout.stride = stride;
        int w = 0;
        for (int i = 0; i < T; i += stride) w = std::max(w, lf.horizontalAdvance(axisLabel(i)));
        return w;
    };
    // Label stride, rotation and cell size depend on each other; a few rounds reach a fixed point.
    int stride = 1, rowW = 0, keyH = 0;
    bool rotate = false;
    double cell = 1, side = 1;
    for (int round = 0; round < 4; ++round) {
        rowW = maxLabelWidth(stride);
        keyH = rotate ? rowW : lf.height();
        const int availW = width() - 2 * kMargin - axisT - 2 * kGap - rowW - 3 * kGap - cbW;
        const int availH = height() - 2 * kMargin - titleH - 2 * kGap - keyH - axisT;
        side = std::max(1, std::min(availW, availH));
        const double dev = std::floor(side * dpr / T);
        cell = dev >= 1 ? dev / dpr : side / double(T);
        const int newStride = labelStride(cell, lf.height() + 1);
        const bool newRotate = maxLabelWidth(newStride) > newStride * cell - 2;
        if (newStride == stride && newRotate == rotate) break;
        stride = newStride;
        rotate = newRotate;
    }
    rowW = maxLabelWidth(stride);
    keyH = rotate ? rowW : lf.height();
    const double mapSide = cell * T;
    const double compW = axisT + 2 * kGap + rowW + mapSide + 3 * kGap + cbW;
    const double compH = titleH + mapSide + 2 * kGap + keyH + axisT;
    // Centre the composition; snap to device pixels so cell edges stay on pixel boundaries.
    auto snap = [dpr](double v) { return std::floor(v * dpr) / dpr; };
    const double x0 = snap(std::max<double>(kMargin, (width() - compW) / 2));
    const double y0 = snap(std::max<double>(kMargin, (height() - compH) / 2));
    m_layout.cell = cell;
    m_layout.stride = stride;
    m_layout.rotateKeys = rotate;
    m_layout.rowLabelWidth = rowW;
    m_layout.keyLabelHeight = keyH;
    m_layout.map = QRectF(x0 + axisT + 2 * kGap + rowW, y0 + titleH, mapSide, mapSide);
    m_layout.colorbar = QRect(int(std::ceil(m_layout.map.right())) + 3 * kGap, int(m_layout.map.top()), cbW,
                              int(std::round(mapSide)));
    m_layout.titleRect = QRect(int(m_layout.map.left()), int(y0),
                               m_layout.colorbar.right() - int(m_layout.map.left()), tf.height());
}

QRect AttentionHeatmap::cellRect(int query, int key) const {
    const double c = m_layout.cell;
    const QRectF r(m_layout.map.left() + key * c, m_layout.map.top() + query * c, c, c);
    return r.toAlignedRect();
}

QPoint AttentionHeatmap::cellAt(const QPointF& pos) const {
    const int T = m_field.length();
    if (T == 0 || !m_layout.map.contains(pos) || m_layout.cell <= 0) return {-1, -1};
    const int k = std::clamp(int((pos.x() - m_layout.map.left()) / m_layout.cell), 0, T - 1);
    const int q = std::clamp(int((pos.y() - m_layout.map.top()) / m_layout.cell), 0, T - 1);
    return {k, q};
}

void AttentionHeatmap::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QColor bg = palette().color(QPalette::Base);
    const QColor ink = palette().color(QPalette::Text);
    p.fillRect(rect(), bg);
    if (m_field.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter,
                   m_snapshot ? tr("This snapshot has no attention map for the head")
                              : tr("No attention snapshot yet"));
        return;
    }
    const QRectF map = m_layout.map;
    // Cells of at least one device pixel are drawn nearest-neighbour so every cell is a crisp square;
    // smaller cells would drop rows, so the peaks are pooled once and cached instead.
    if (m_layout.cell * devicePixelRatioF() >= 1.0) {
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(map, m_image);
    } else {
        const int dev = int(std::round(map.width() * devicePixelRatioF()));
        if (m_scaledImage.width() != dev) {
            m_scaledImage = m_field.renderPooled(m_norm, figures::Colormap::get(effectiveColormap()), dev);
            m_scaledImage.setDevicePixelRatio(devicePixelRatioF());
        }
        p.drawImage(map.topLeft(), m_scaledImage);
    }
    p.setPen(QPen(ink, 0));
    p.drawRect(map);
    paintBand(p);
    paintHover(p);
    p.setPen(ink);
    p.setFont(titleFont(font()));
    const QFontMetrics tf(p.font());
    p.drawText(m_layout.titleRect, Qt::AlignLeft | Qt::AlignVCenter,
               tf.elidedText(title(), Qt::ElideRight, m_layout.titleRect.width()));
    p.setFont(labelFont(font()));
    const QString sub = subtitle();
    p.setPen(palette().color(QPalette::PlaceholderText));
    if (tf.horizontalAdvance(title()) + QFontMetrics(p.font()).horizontalAdvance(sub) + 20 <
        m_layout.titleRect.width())
        p.drawText(m_layout.titleRect, Qt::AlignRight | Qt::AlignVCenter, sub);
    p.setPen(ink);
    paintLabels(p);
    Colorbar::paint(p, m_layout.colorbar, colorbarSpec(), ink);
}

void AttentionHeatmap::resizeEvent(QResizeEvent*) {
    relayout();
}

void AttentionHeatmap::mouseMoveEvent(QMouseEvent* e) {
    const QPoint cell = cellAt(e->position());
    if (cell != m_hover) {
        m_hover = cell;
        update();
        emit cellHovered(cell.y(), cell.x());
    }
    if (cell.x() >= 0)
        QToolTip::showText(e->globalPosition().toPoint(), cellToolTip(cell.y(), cell.x()), this,
                           cellRect(cell.y(), cell.x()));
    else
        QToolTip::hideText();
}

void AttentionHeatmap::leaveEvent(QEvent*) {
    if (m_hover.x() < 0) return;
    m_hover = {-1, -1};
    update();
    emit cellHovered(-1, -1);
}

void AttentionHeatmap::changeEvent(QEvent* e) {
    if (e->type() == QEvent::FontChange || e->type() == QEvent::PaletteChange) {
        relayout();
        update();
    }
    QWidget::changeEvent(e);
}
