#pragma once
// Figures of several runs at once, drawn by the same painters as one-run figures and written
// by the same file writer: curves of every run overlaid on one chart with a run legend; small multiples —
// one panel per run, per layer or per head — on shared axes with one legend; and the attention maps of two
// runs side by side on one colour scale. The side-car holds every plotted series under its run's name.
// Used by the app's export dialog and by `attnscope-plot` / `attnscope-cli plot` with several runs.
#include "figures/figure_data.h"
#include "figures/figure_export.h"

#include <optional>
#include <vector>

namespace attnscope::figures {

enum class Arrangement { Overlay, Panels };
enum class Facet { Run, Layer, Head }; // what one panel of Arrangement::Panels holds

// "overlay", "panels"; "run", "layer", "head".
std::optional<Arrangement> parseArrangement(const QString& name);
std::optional<Facet> parseFacet(const QString& name);
QString facetName(Facet facet);

struct MultiRequest {
    FigureRequest base; // view, step, layer, head as for one run
    Arrangement arrangement = Arrangement::Overlay;
    Facet facet = Facet::Run;
};

// The colour of run `index` in a figure: the run's own (the app's) when set, else the colour the run would
// take entering an empty workspace in the order given (runColorSlot(index), figures/palette.h).
QColor runColor(const FigureInput& run, int index);

// Every run's lines on one chart. Lines of one run share its colour (heads in shades of it); the legend
// lists runs, not lines; the side-car names each line "run · line".
CurveData overlayCurves(const std::vector<FigureInput>& runs, const FigureRequest& request);
// One chart per run, per layer or per head (of request.layer), every one on the same x and y range.
// Throws Error when the facet does not apply (per-layer panels of the loss curves).
std::vector<CurveData> curvePanels(const std::vector<FigureInput>& runs, const FigureRequest& request,
                                   Facet facet);
// The maps of runs[0] and runs[1] (head request.layer/request.head, or every head for the grid view) side by
// side in one MapData, columns labelled with the run names, so they share one colour scale. Refuses maps
// of different shapes.
MapData sideBySideMaps(const std::vector<FigureInput>& runs, const FigureRequest& request);
// Several charts as one table for the side-car: x is the union of their steps; a line is "panel · line".
CurveData mergeForSidecar(const std::vector<CurveData>& panels);

// Writes the figure (PDF/SVG/PNG by suffix) and its side-car (.csv for curves, .npy for maps).
ExportResult exportRuns(const std::vector<FigureInput>& runs, const MultiRequest& request,
                        const FigureOptions& options, const QString& path, bool writeSidecar = true);

} // namespace attnscope::figures
