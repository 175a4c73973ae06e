#pragma once
// One head's T×T attention map: crisp cells (one image pixel per cell, integer device-pixel cell size,
// no smoothing), masked cells in a neutral grey that never enters the colour range, token labels on
// both axes (query rows, key columns), a colorbar, a hover tooltip, the window band of local heads and
// the ALiBi slope in the title. Difference mode shows A − B with a diverging map and symmetric range.
#include "core/model/config.h"
#include "core/probe/snapshot.h"
#include "figures/colormap.h"
#include "gui/attention/attention_labels.h"
#include "gui/attention/colorbar.h"
#include "gui/attention/head_field.h"

#include <QImage>
#include <QWidget>
#include <optional>

class AttentionHeatmap : public QWidget {
    Q_OBJECT
public:
    explicit AttentionHeatmap(QWidget* parent = nullptr);

    // Shows head (layer, head) of s. tok is only read during the call (token labels are copied).
    void setHead(attnscope::SnapshotPtr s, const attnscope::Tokenizer* tok, const attnscope::ModelConfig& cfg,
                 int layer, int head);
    // Same, for callers that already hold the labels and tags (the grid view shares them across heads).
    void setHead(attnscope::SnapshotPtr s, const QStringList& tokenLabels, const attnscope::HeadTags& tags,
                 int layer, int head);
    // Difference mode: shows snapshot − other. nullptr turns it off.
    void setComparison(attnscope::SnapshotPtr other);
    // What the title says is subtracted ("step 100", "ls step 350"); empty: "step N" of the other snapshot.
    void setComparisonLabel(const QString& label);
    void setColormap(attnscope::figures::ColormapKind kind);
    void setScale(attnscope::figures::ColorScale scale);
    // Forces a colour range (shared or fixed ranges of the grid); nullopt = this head's own visible range.
    void setRangeOverride(std::optional<attnscope::figures::ValueRange> range);

    int layer() const { return m_layer; }
    int head() const { return m_head; }
    bool isDifference() const { return m_field.isDifference(); }
    QString title() const;
    QString subtitle() const;
    attnscope::figures::ColormapKind effectiveColormap() const;
    attnscope::figures::ColorNorm colorNorm() const { return m_norm; }
    attnscope::figures::ValueRange colorRange() const { return m_norm.range(); }
    const attnscope::HeadField& field() const { return m_field; }
    const QImage& cellImage() const { return m_image; } // T×T, one pixel per cell
    QString cellToolTip(int query, int key) const;
    // Widget-space geometry of the map, for hit tests and tests. Invalid before the first layout.
    QRectF mapRect() const { return m_layout.map; }
    QRect cellRect(int query, int key) const;
    // (key, query) under pos, or (-1, -1).
    QPoint cellAt(const QPointF& pos) const;

    QSize sizeHint() const override { return {560, 520}; }
    QSize minimumSizeHint() const override { return {220, 200}; }

signals:
    void cellHovered(int query, int key); // (-1, -1) when the pointer leaves the map

protected:
    void paintEvent(QPaintEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void leaveEvent(QEvent*) override;
    void changeEvent(QEvent*) override;

private:
    static constexpr int kMargin = 10; // around the whole composition
    static constexpr int kGap = 5;     // between the map, its labels, titles and the colorbar
    struct Layout {
        QRectF map;      // the T×T cells
        double cell = 0; // logical pixels per cell (an integer number of device pixels when ≥ 1)
        int stride = 1;  // label every stride-th token
        bool rotateKeys = false;
        int rowLabelWidth = 0, keyLabelHeight = 0;
        QRect colorbar;
        QRect titleRect;
    };
    void rebuild();  // data or colour settings changed: recompute the field, range and image
    void recolor();  // only colour settings changed
    void relayout(); // geometry or label fonts changed
    QString axisLabel(int index) const;
    void paintLabels(QPainter& p) const;
    void paintBand(QPainter& p) const;
    void paintHover(QPainter& p) const;
    attnscope::ColorbarSpec colorbarSpec() const;

    attnscope::SnapshotPtr m_snapshot;
    attnscope::SnapshotPtr m_other;
    QString m_otherLabel;
    QStringList m_labels;
    attnscope::HeadTags m_tags;
    int m_layer = 0, m_head = 0;
    attnscope::figures::ColormapKind m_colormap = attnscope::figures::ColormapKind::Viridis;
    attnscope::figures::ColorScale m_scale = attnscope::figures::ColorScale::Linear;
    std::optional<attnscope::figures::ValueRange> m_rangeOverride;

    attnscope::HeadField m_field;
    attnscope::figures::ColorNorm m_norm;
    QImage m_image;
    QImage m_scaledImage; // pooled image, only when a cell is smaller than one device pixel
    Layout m_layout;
    QPoint m_hover{-1, -1}; // (key, query)
};
