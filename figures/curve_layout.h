#pragma once
// Where every part of a curve figure goes, in points (1/72 in), decided before anything is drawn: title
// lines, the data area, ticks and their labels, axis labels, cursor letters and the legend. Separate from the
// painting so that tests can check the promises (nothing leaves the page, tick labels do not overlap, the
// legend covers no data) without rasterising.
#include "figures/figure_data.h"

#include <QFont>
#include <QLineF>
#include <QRectF>
#include <QStringList>
#include <vector>

class QPaintDevice;

namespace attnscope::figures {

struct AxisTick {
    double value = 0;
    QString label;
    QRectF labelRect; // where the label is drawn
};

struct LegendLayout {
    enum class Place { None, Corner, Right, Above };
    Place place = Place::None;
    QRectF rect; // the whole legend; framed when it sits in a corner of the data area
    int columns = 1;
    double rowHeight = 0; // one entry per row and column, filled row by row
    double columnWidth = 0;
    std::vector<int> entries; // indices into CurveData::lines that are shown (lines with data)
};

struct CurveLayout {
    QFont font, titleFont;
    QStringList titleLines;
    std::vector<QRectF> titleRects;
    QRectF plot; // the data area
    double xLo = 0, xHi = 1, yLo = 0, yHi = 1;
    bool logY = false;
    bool logX = false;
    std::vector<AxisTick> xTicks, yTicks;
    std::vector<double> yMinorTicks; // log axis only
    QRectF xLabelRect;
    QRectF yLabelRect;             // before the −90° rotation: centred where the rotated label goes
    QRectF aLabelRect, bLabelRect; // cursor letters above the data area; empty when not drawn
    // What the cursor line says: "B" beside a pinned A, else "step N", so no dashed line goes unexplained.
    QString bText;
    LegendLayout legend;

    // Data coordinates → page points. y may be ≤ 0 on a log axis: it maps below the data area.
    QPointF map(double x, double y) const;
    // Every drawn line segment of every curve (finite points joined in order), in page points: what the
    // legend must not cover.
    std::vector<QLineF> segments(const CurveData& data) const;
};

// device: the paint device the figure is drawn on (font metrics depend on its resolution).
CurveLayout layoutCurves(const QSizeF& sizePt, const CurveData& data, const FigureOptions& options,
                         const QPaintDevice* device);

} // namespace attnscope::figures
