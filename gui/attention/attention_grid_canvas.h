#pragma once
// Layers × heads small multiples of attention maps painted in one widget. Each head's colour-mapped
// T×T image is cached and rebuilt only when data or colour settings change; a resize only rescales the
// cached thumbnails, and a plain repaint is a blit per head.
#include "figures/colormap.h"
#include "gui/attention/attention_labels.h"
#include "gui/attention/head_field.h"

#include <QImage>
#include <QPixmap>
#include <QWidget>
#include <optional>
#include <vector>

class AttentionGridCanvas : public QWidget {
    Q_OBJECT
public:
    explicit AttentionGridCanvas(QWidget* parent = nullptr);

    // New data: every head's field and image is rebuilt. other != nullptr with the same shape shows A − B.
    void setData(attnscope::SnapshotPtr s, attnscope::SnapshotPtr other, const attnscope::HeadTags& tags);
    void setColormap(attnscope::figures::ColormapKind kind);
    void setScale(attnscope::figures::ColorScale scale);
    void setRangeMode(attnscope::figures::RangeMode mode);
    void setSelected(int layer, int head);
    // Heads outlined in the accent colour ([layer][head]; e.g. the top heads by a metric). Empty: none.
    void setMarked(std::vector<bool> marked);
    const std::vector<bool>& marked() const { return m_marked; }

    int layers() const { return m_layers; }
    int heads() const { return m_heads; }
    int selectedLayer() const { return m_selLayer; }
    int selectedHead() const { return m_selHead; }
    bool isDifference() const { return m_difference; }
    // The range the enlarged heatmap must use to match the thumbnails; nullopt in per-head mode.
    std::optional<attnscope::figures::ValueRange> rangeOverride() const;
    attnscope::figures::ValueRange rangeOf(int layer, int head) const;
    // Colour-mapped thumbnail at the current size (built on demand, then cached until data, colours or
    // size change).
    const QImage& thumbnail(int layer, int head);
    QRect thumbnailRect(int layer, int head) const;
    // (layer, head) under pos, or (-1, -1).
    QPoint headAt(const QPoint& pos) const;
    QString headToolTip(int layer, int head) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void headClicked(int layer, int head);

protected:
    void paintEvent(QPaintEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void leaveEvent(QEvent*) override;
    void keyPressEvent(QKeyEvent*) override;
    void changeEvent(QEvent*) override;

private:
    std::size_t index(int layer, int head) const { return std::size_t(layer) * std::size_t(m_heads) + head; }
    attnscope::figures::ColorScale effectiveScale() const;
    void recolor();  // colour settings changed: new ranges, stale thumbnails
    void relayout(); // geometry changed: thumbnail size and positions
    void ensureThumbnails();
    void paintCache(); // headers, thumbnails and frames into m_cache
    void invalidate();
    QRectF outlineRect(int layer, int head) const; // hover/selection frame around a thumbnail
    void updateOutline(QPoint layerHead);          // schedules a repaint of just that frame
    QSize gridSize(int thumb) const;

    attnscope::SnapshotPtr m_snapshot, m_other;
    attnscope::HeadTags m_tags;
    int m_layers = 0, m_heads = 0, m_length = 0;
    bool m_difference = false;
    attnscope::figures::ColormapKind m_colormap = attnscope::figures::ColormapKind::Viridis;
    attnscope::figures::ColorScale m_scale = attnscope::figures::ColorScale::Linear;
    attnscope::figures::RangeMode m_rangeMode = attnscope::figures::RangeMode::PerHead;

    std::vector<attnscope::HeadField> m_fields;           // [layer][head]
    std::vector<bool> m_marked;                           // [layer][head], or empty
    std::vector<attnscope::figures::ValueRange> m_ranges; // [layer][head] range used for the image
    std::vector<QImage> m_thumbs; // [layer][head] scaled to the current thumbnail size
    int m_thumbDevice = 0;        // thumbnail side in device pixels the cache was built for
    // Everything but the hover/selection outlines, so that a repaint is a single blit (the 16 ms budget
    // holds even when the canvas repaints on every mouse move).
    QPixmap m_cache;
    bool m_cacheValid = false;

    // Layout
    double m_thumb = 0; // thumbnail side (logical pixels)
    int m_rowHeader = 0, m_colHeader = 0, m_left = 0, m_tagLines = 0;
    int m_selLayer = 0, m_selHead = 0;
    QPoint m_hover{-1, -1}; // (layer, head)
};
