#include "gui/attention/attention_grid_canvas.h"

#include "figures/palette.h"

#include <QEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

using namespace attnscope;

namespace {

constexpr int kMargin = 8;
constexpr int kGap = 6;       // between thumbnails
constexpr int kMinThumb = 40; // below this a map no longer shows its structure; the view scrolls instead
// Longer maps are held as their max-pooled level of detail at this side (HeadField::levelOfDetail): 144 heads
// of 1024² cells would take 2 GB as full fields, at 256² they take 120 MB, and thumbnails are smaller anyway.
constexpr int kLodSide = 256;
constexpr int kMaxThumb = 220; // beyond this the enlarged heatmap is the better tool

QFont smallFont(const QFont& base) {
    QFont f(base);
    f.setPointSizeF(base.pointSizeF() * 0.85);
    return f;
}

QFont boldFont(const QFont& base) {
    QFont f(base);
    f.setBold(true);
    return f;
}

QString formatMetric(const std::vector<float>& v, std::size_t i, int precision = 3) {
    return i < v.size() && std::isfinite(v[i]) ? QString::number(v[i], 'g', precision) : QStringLiteral("–");
}

} // namespace

AttentionGridCanvas::AttentionGridCanvas(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void AttentionGridCanvas::setData(SnapshotPtr s, SnapshotPtr other, const HeadTags& tags) {
    m_snapshot = std::move(s);
    m_other = std::move(other);
    m_tags = tags;
    m_layers = m_snapshot ? m_snapshot->layers : 0;
    m_heads = m_snapshot ? m_snapshot->heads : 0;
    m_length = m_snapshot ? m_snapshot->length : 0;
    m_difference = m_snapshot && m_other && HeadField::sameShape(*m_snapshot, *m_other);
    const std::size_t n = std::size_t(m_layers) * std::size_t(m_heads);
    m_fields.assign(n, {});
    for (int l = 0; l < m_layers; ++l)
        for (int h = 0; h < m_heads; ++h) {
            const int w = m_tags.windowOf(h);
            const HeadField full = m_difference ? HeadField::difference(*m_snapshot, *m_other, l, h, w, w)
                                                : HeadField::attention(*m_snapshot, l, h, w);
            m_fields[index(l, h)] = full.levelOfDetail(kLodSide);
        }
    m_selLayer = std::clamp(m_selLayer, 0, std::max(0, m_layers - 1));
    m_selHead = std::clamp(m_selHead, 0, std::max(0, m_heads - 1));
    m_hover = {-1, -1};
    recolor();
    updateGeometry();
    relayout();
}

void AttentionGridCanvas::setColormap(figures::ColormapKind kind) {
    if (kind == m_colormap) return;
    m_colormap = kind;
    recolor();
}

void AttentionGridCanvas::setScale(figures::ColorScale scale) {
    if (scale == m_scale) return;
    m_scale = scale;
    recolor();
}

void AttentionGridCanvas::setRangeMode(figures::RangeMode mode) {
    if (mode == m_rangeMode) return;
    m_rangeMode = mode;
    recolor();
}

void AttentionGridCanvas::setSelected(int layer, int head) {
    if (layer < 0 || head < 0 || layer >= m_layers || head >= m_heads) return;
    m_selLayer = layer;
    m_selHead = head;
    invalidate(); // the selected row and column headers are highlighted in the cache
}

void AttentionGridCanvas::setMarked(std::vector<bool> marked) {
    m_marked = std::move(marked);
    invalidate();
}

void AttentionGridCanvas::invalidate() {
    m_cacheValid = false;
    update();
}

figures::ColorScale AttentionGridCanvas::effectiveScale() const {
    return m_difference ? figures::ColorScale::Linear : m_scale; // signed differences have no log axis
}

std::optional<figures::ValueRange> AttentionGridCanvas::rangeOverride() const {
    if (m_rangeMode == figures::RangeMode::PerHead || m_ranges.empty()) return std::nullopt;
    return m_ranges.front(); // shared and fixed modes give every head the same range
}

figures::ValueRange AttentionGridCanvas::rangeOf(int layer, int head) const {
    return m_ranges.empty() ? figures::ValueRange{} : m_ranges[index(layer, head)];
}

void AttentionGridCanvas::recolor() {
    const figures::ColorScale scale = effectiveScale();
    const std::size_t n = m_fields.size();
    m_ranges.assign(n, {});
    figures::ValueRange shared{0, 0}; // invalid until united with a real range
    double minLo = INFINITY, maxHi = -INFINITY;
    for (std::size_t i = 0; i < n; ++i) {
        m_ranges[i] = m_fields[i].naturalRange(scale);
        shared = shared.united(m_ranges[i]);
        minLo = std::min(minLo, m_ranges[i].lo);
        maxHi = std::max(maxHi, m_ranges[i].hi);
    }
    if (m_rangeMode == figures::RangeMode::Shared && n > 0) {
        if (m_difference)
            shared = {-std::max(std::abs(minLo), std::abs(maxHi)),
                      std::max(std::abs(minLo), std::abs(maxHi))};
        else if (scale == figures::ColorScale::Log)
            shared = figures::logRange(minLo, maxHi); // keep the decade cap relative to the shared maximum
        std::fill(m_ranges.begin(), m_ranges.end(), shared);
    } else if (m_rangeMode == figures::RangeMode::Fixed) {
        const figures::ValueRange fixed = m_difference                        ? figures::ValueRange{-1, 1}
                                          : scale == figures::ColorScale::Log ? figures::logRange(0, 1)
                                                                              : figures::ValueRange{0, 1};
        std::fill(m_ranges.begin(), m_ranges.end(), fixed);
    }
    m_thumbDevice = 0; // thumbnails are stale
    invalidate();
}

QSize AttentionGridCanvas::gridSize(int thumb) const {
    return {m_left + m_rowHeader + m_heads * thumb + (m_heads - 1) * kGap + kMargin,
            kMargin + m_colHeader + m_layers * thumb + (m_layers - 1) * kGap + kMargin};
}

QSize AttentionGridCanvas::sizeHint() const {
    return m_layers ? gridSize(110) : QSize(400, 300);
}

QSize AttentionGridCanvas::minimumSizeHint() const {
    if (!m_layers) return {200, 150};
    const QSize s = gridSize(kMinThumb);
    return {s.width() - m_left + kMargin, s.height()};
}

void AttentionGridCanvas::relayout() {
    const QFontMetrics bf(boldFont(font())), sf(smallFont(font()));
    m_tagLines = 0;
    for (int h = 0; h < m_heads; ++h) m_tagLines = std::max(m_tagLines, int(m_tags.tagParts(h).size()));
    m_colHeader = bf.height() + m_tagLines * sf.height() + 4;
    m_rowHeader = bf.horizontalAdvance(QStringLiteral("L%1").arg(std::max(0, m_layers - 1))) + kGap + 2;
    m_left = kMargin;
    if (m_layers == 0 || m_heads == 0) return;
    const double dpr = devicePixelRatioF();
    const int availW = width() - 2 * kMargin - m_rowHeader - (m_heads - 1) * kGap;
    const int availH = height() - 2 * kMargin - m_colHeader - (m_layers - 1) * kGap;
    double t = std::clamp(std::min(availW / m_heads, availH / m_layers), kMinThumb, kMaxThumb);
    // At least one device pixel per cell: snap to a whole number of device pixels per cell so every
    // cell of a short probe is an equal, crisp square. Longer probes are area-averaged instead.
    int dev = int(std::floor(t * dpr));
    if (m_length > 0 && dev >= m_length) dev = dev / m_length * m_length;
    m_thumb = dev / dpr;
    const int gridW = gridSize(int(std::ceil(m_thumb))).width() - kMargin - kMargin;
    m_left = std::max(kMargin, (width() - gridW) / 2);
    invalidate();
}

QRect AttentionGridCanvas::thumbnailRect(int layer, int head) const {
    const double x = m_left + m_rowHeader + head * (m_thumb + kGap);
    const double y = kMargin + m_colHeader + layer * (m_thumb + kGap);
    return QRectF(x, y, m_thumb, m_thumb).toAlignedRect();
}

QPoint AttentionGridCanvas::headAt(const QPoint& pos) const {
    for (int l = 0; l < m_layers; ++l)
        for (int h = 0; h < m_heads; ++h)
            if (thumbnailRect(l, h).contains(pos)) return {l, h};
    return {-1, -1};
}

void AttentionGridCanvas::ensureThumbnails() {
    const double dpr = devicePixelRatioF();
    const int dev = int(std::round(m_thumb * dpr));
    if (dev == m_thumbDevice && m_thumbs.size() == m_fields.size()) return;
    const figures::ColorScale scale = effectiveScale();
    const figures::Colormap& cmap =
        figures::Colormap::get(m_difference ? figures::ColormapKind::Diverging : m_colormap);
    m_thumbs.resize(m_fields.size());
    for (std::size_t i = 0; i < m_fields.size(); ++i) {
        const figures::ColorNorm norm(m_ranges[i], scale);
        // relayout() makes dev a multiple of T when it is at least T, so upscaling gives equal square
        // cells; smaller thumbnails are pooled straight from the data (see HeadField::renderPooled).
        m_thumbs[i] = dev >= m_fields[i].length() ? m_fields[i].render(norm, cmap).scaled(dev, dev)
                                                  : m_fields[i].renderPooled(norm, cmap, dev);
        m_thumbs[i].setDevicePixelRatio(dpr);
    }
    m_thumbDevice = dev;
}

const QImage& AttentionGridCanvas::thumbnail(int layer, int head) {
    ensureThumbnails();
    return m_thumbs[index(layer, head)];
}

QString AttentionGridCanvas::headToolTip(int layer, int head) const {
    if (!m_snapshot || layer < 0 || head < 0 || layer >= m_layers || head >= m_heads) return {};
    const ProbeSnapshot& s = *m_snapshot;
    const std::size_t i = s.headIndex(layer, head);
    QStringList lines{headTitle(m_tags, layer, head)};
    lines << QStringLiteral("entropy %1 nats · normalised %2")
                 .arg(formatMetric(s.entropy, i), formatMetric(s.normEntropy, i));
    lines << QStringLiteral("sink α₁ %1 · max logit %2 · mean distance %3")
                 .arg(formatMetric(s.sinkScore, i), formatMetric(s.maxLogit, i),
                      formatMetric(s.meanDistance, i));
    const figures::ValueRange r = rangeOf(layer, head);
    lines << QStringLiteral("colour range %1 … %2").arg(r.lo, 0, 'g', 3).arg(r.hi, 0, 'g', 3);
    lines << tr("Click to enlarge");
    return lines.join(QLatin1Char('\n'));
}

void AttentionGridCanvas::paintCache() {
    const double dpr = devicePixelRatioF();
    const QSize device = (QSizeF(size()) * dpr).toSize();
    if (m_cache.size() != device) { // reuse the buffer: a fresh one costs page faults on every snapshot
        m_cache = QPixmap(device);
        m_cache.setDevicePixelRatio(dpr);
    }
    m_cache.fill(palette().color(QPalette::Base));
    m_cacheValid = true;
    if (m_layers == 0 || m_heads == 0) return;
    ensureThumbnails();
    QPainter p(&m_cache);
    const QColor ink = palette().color(QPalette::Text);
    const QColor dim = palette().color(QPalette::PlaceholderText);
    const QColor accent = palette().color(QPalette::Highlight);
    const QFont bold = boldFont(font()), small = smallFont(font());
    const QFontMetrics bf(bold), sf(small);
    // Column headers: head index, then its mechanism tags (local window, ALiBi slope) one per line.
    for (int h = 0; h < m_heads; ++h) {
        const QRect t = thumbnailRect(0, h);
        QRect line(t.left() - kGap / 2, kMargin, t.width() + kGap, bf.height());
        p.setFont(bold);
        p.setPen(h == m_selHead ? accent : ink);
        p.drawText(line, Qt::AlignHCenter | Qt::AlignBottom, QStringLiteral("H%1").arg(h));
        p.setFont(small);
        p.setPen(m_tags.isLocal(h) ? accent : dim);
        line.translate(0, bf.height());
        line.setHeight(sf.height());
        for (const QString& tag : m_tags.tagParts(h)) {
            p.drawText(line, Qt::AlignHCenter | Qt::AlignTop,
                       sf.elidedText(tag, Qt::ElideRight, line.width()));
            line.translate(0, sf.height());
        }
    }
    p.setFont(bold);
    for (int l = 0; l < m_layers; ++l) {
        const QRect t = thumbnailRect(l, 0);
        p.setPen(l == m_selLayer ? accent : ink);
        p.drawText(QRect(m_left, t.top(), m_rowHeader - kGap, t.height()), Qt::AlignRight | Qt::AlignVCenter,
                   QStringLiteral("L%1").arg(l));
    }
    QColor frame = ink;
    frame.setAlphaF(0.35f);
    p.setPen(QPen(frame, 0));
    for (int l = 0; l < m_layers; ++l)
        for (int h = 0; h < m_heads; ++h) {
            const QRect r = thumbnailRect(l, h);
            p.drawImage(r.topLeft(), m_thumbs[index(l, h)]);
            p.drawRect(QRectF(r).adjusted(-0.5, -0.5, 0.5, 0.5));
        }
    if (m_marked.size() != std::size_t(m_layers) * std::size_t(m_heads)) return;
    p.setPen(QPen(okabeIto(OkabeIto::Orange), 2.5)); // visible on viridis and on RdBu
    for (int l = 0; l < m_layers; ++l)
        for (int h = 0; h < m_heads; ++h)
            if (m_marked[index(l, h)]) p.drawRect(QRectF(thumbnailRect(l, h)).adjusted(-2, -2, 2, 2));
}

void AttentionGridCanvas::paintEvent(QPaintEvent* e) {
    QPainter p(this);
    if (m_layers == 0 || m_heads == 0) {
        p.fillRect(rect(), palette().color(QPalette::Base));
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("No attention snapshot yet"));
        return;
    }
    if (!m_cacheValid || m_cache.deviceIndependentSize().toSize() != size()) paintCache();
    // Hover changes repaint only the two outlines' rectangles, so blit just the exposed part.
    const QRect exposed = e->rect();
    const double dpr = m_cache.devicePixelRatio();
    p.drawPixmap(
        exposed, m_cache,
        QRectF(exposed.x() * dpr, exposed.y() * dpr, exposed.width() * dpr, exposed.height() * dpr).toRect());
    const QColor accent = palette().color(QPalette::Highlight);
    auto outline = [&](QPoint lh, qreal width, const QColor& c) {
        if (lh.x() < 0) return;
        const QRectF r = outlineRect(lh.x(), lh.y());
        p.setPen(QPen(c, width));
        p.setBrush(Qt::NoBrush);
        p.drawRect(r);
    };
    QColor hover = accent;
    hover.setAlphaF(0.5f);
    if (m_hover != QPoint(m_selLayer, m_selHead)) outline(m_hover, 1.5, hover);
    outline({m_selLayer, m_selHead}, 2.5, accent);
}

void AttentionGridCanvas::resizeEvent(QResizeEvent*) {
    relayout();
}

void AttentionGridCanvas::mousePressEvent(QMouseEvent* e) {
    const QPoint lh = headAt(e->position().toPoint());
    if (e->button() != Qt::LeftButton || lh.x() < 0) return QWidget::mousePressEvent(e);
    setSelected(lh.x(), lh.y());
    emit headClicked(lh.x(), lh.y());
}

void AttentionGridCanvas::mouseMoveEvent(QMouseEvent* e) {
    const QPoint lh = headAt(e->position().toPoint());
    if (lh == m_hover) return;
    updateOutline(m_hover);
    m_hover = lh;
    updateOutline(m_hover);
    if (lh.x() >= 0)
        QToolTip::showText(e->globalPosition().toPoint(), headToolTip(lh.x(), lh.y()), this,
                           thumbnailRect(lh.x(), lh.y()));
    else
        QToolTip::hideText();
}

void AttentionGridCanvas::leaveEvent(QEvent*) {
    updateOutline(m_hover);
    m_hover = {-1, -1};
}

QRectF AttentionGridCanvas::outlineRect(int layer, int head) const {
    return QRectF(thumbnailRect(layer, head)).adjusted(-2, -2, 2, 2);
}

void AttentionGridCanvas::updateOutline(QPoint lh) {
    if (lh.x() >= 0) update(outlineRect(lh.x(), lh.y()).toAlignedRect().adjusted(-2, -2, 2, 2));
}

void AttentionGridCanvas::keyPressEvent(QKeyEvent* e) {
    int l = m_selLayer, h = m_selHead;
    switch (e->key()) {
    case Qt::Key_Left:
        --h;
        break;
    case Qt::Key_Right:
        ++h;
        break;
    case Qt::Key_Up:
        --l;
        break;
    case Qt::Key_Down:
        ++l;
        break;
    default:
        return QWidget::keyPressEvent(e);
    }
    if (l < 0 || h < 0 || l >= m_layers || h >= m_heads) return;
    setSelected(l, h);
    emit headClicked(l, h);
}

void AttentionGridCanvas::changeEvent(QEvent* e) {
    if (e->type() == QEvent::FontChange || e->type() == QEvent::PaletteChange) relayout(); // also invalidates
    QWidget::changeEvent(e);
}
