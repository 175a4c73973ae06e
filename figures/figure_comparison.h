#pragma once
// Difference figures: which snapshot the maps are differenced against and how that is worded. One place
// for the GUI (attention tab, export dialog) and `attnscope-cli plot --compare-step/--compare-run`, so the
// header on screen, the figure title and the side-car all describe the same B − A.
#include "figures/figure_input.h"
#include "figures/figure_spec.h"

#include <QString>

namespace attnscope::figures {

// "2 layers × 4 heads × T=64"
QString snapshotShape(const ProbeSnapshot& s);

// Why `b` cannot be subtracted from `a` map by map (layers, heads or probe length differ); empty when it
// can. The names say which is which, e.g. "baseline step 400" and "ls step 400".
QString shapeMismatch(const ProbeSnapshot& a, const QString& aName, const ProbeSnapshot& b,
                      const QString& bName);

// What is subtracted, as the titles say it: "step 100" for the run itself, "ls step 350" for another run.
QString comparisonLabel(const QString& otherRun, int step);

// Sets in.comparison and in.comparisonLabel so that the maps of `request` show the figure's snapshot minus
// the snapshot of `against` (nullptr: the run itself) recorded at or before `step` (-1: the step the figure
// shows). Throws attnscope::Error when there is nothing to compare against.
void setComparison(FigureInput& in, const FigureRequest& request, const FigureInput* against, int step);

} // namespace attnscope::figures
