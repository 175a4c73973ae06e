#pragma once
// Internals of CurveChart shared by its two source files (data/ranges and interaction). Not for views.
#include "gui/views/chart_style.h"
#include "gui/views/curve_chart.h"
#include "gui/views/smoothing.h"

#include <vector>

class QCPGraph;

namespace attnscope::gui {

struct CurveChart::Series {
    int id = 0;
    SeriesStyle style;
    bool visible = true;
    std::vector<double> x, y, s; // s: smoothed y (equal to y when not smoothed)
    EmaState ema;
    std::size_t flushedRaw = 0, flushedSmooth = 0; // points already handed to the graphs
    QCPGraph* raw = nullptr;                       // faint when smoothed, the line otherwise
    QCPGraph* smooth = nullptr;
};

struct CurveChart::Marker {
    int group = 0;
    double x = 0;
    QColor color;
    QString text;
    QCPItemStraightLine* line = nullptr;
};

// Index of the point whose x is nearest to `x` (xs sorted, non-empty).
std::size_t nearestIndex(const std::vector<double>& xs, double x);

} // namespace attnscope::gui
