#pragma once
// Paints one figure in points (1/72 in) onto any paint device: a PDF page, an SVG, or a PNG (the caller
// scales the painter). Dense heatmap cells are drawn as an embedded raster at options.dpi so vector files
// stay small (matplotlib's rasterised heatmaps); all text stays text.
#include "figures/figure_data.h"

#include <QSizeF>

class QPainter;

namespace attnscope::figures {

void paintMaps(QPainter& painter, const QSizeF& sizePt, const MapData& data, const FigureOptions& options);
void paintCurves(QPainter& painter, const QSizeF& sizePt, const CurveData& data,
                 const FigureOptions& options);
// Small multiples: `panels` in a grid on shared axes, under `title` and one legend row.
void paintPanels(QPainter& painter, const QSizeF& sizePt, const QString& title,
                 const std::vector<CurveData>& panels, const FigureOptions& options);

} // namespace attnscope::figures
