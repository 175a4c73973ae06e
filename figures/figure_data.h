#pragma once
// Exactly the numbers a figure plots, extracted once from a FigureInput: the renderer draws them and the
// side-car CSV/NPY writes them, so the replot data can never drift from the picture.
#include "figures/figure_input.h"
#include "figures/figure_spec.h"

#include <QColor>
#include <QStringList>
#include <optional>
#include <utility>
#include <vector>

namespace attnscope::figures {

struct CurveLine {
    QString name;
    std::vector<double> y; // one per CurveData::x; NaN = not recorded at that step
    QColor color;
    bool dashed = false;
    QString label;        // the legend's text when it differs from `name` (the side-car's column name)
    bool inLegend = true; // false: drawn but not listed (the other heads of a run listed once)
};

// What the legend says for `line`.
inline QString legendText(const CurveLine& line) {
    return line.label.isEmpty() ? line.name : line.label;
}

struct CurveData {
    QString title, xLabel, yLabel;
    std::vector<double> x;
    std::vector<CurveLine> lines;
    double cursor = -1;    // step of the timeline cursor; < 0 = none
    double pinCursor = -1; // step A pinned against it (then the cursors are lettered B and A); < 0 = none
    // Axis ranges shared by the panels of one figure (small multiples); unset: fitted to this chart's data.
    std::optional<std::pair<double, double>> xRange, yRange;
};

struct MapData {
    QString title;  // run and head, e.g. "baseline · L0 H0"
    QString detail; // what is shown: "step 400", or "Δ step 400 − step 100" for a difference
    int layers = 0, heads = 0, length = 0; // values are [layer][head][T][T]
    std::vector<float> values;
    bool difference = false; // values are A − B: diverging colormap, symmetric range
    QStringList tokenLabels;
    QStringList columnLabels; // grid: names of the columns instead of "H0", "H1", … (runs side by side)
    QStringList rowLabels;    // grid: names of the rows instead of "L0", "L1", …
    int step = 0;
};

bool isMapView(FigureView view);
// Throws attnscope::Error when the run has nothing to plot (no snapshots, layer/head out of range).
CurveData curveData(const FigureInput& in, const FigureRequest& req);
MapData mapData(const FigureInput& in, const FigureRequest& req);

} // namespace attnscope::figures
