#pragma once
// The Sweeps page's charts for a sweep without an LR axis (value-residual-seeds: variants × seeds): one
// column per variant, each seed's final validation loss (or final max logit) as an open circle and the mean
// over the seeds that finished with ± 1 sample sd as a bar, in the run palette; diverged seeds counted in a
// note.
#include <QString>

class QCustomPlot;

namespace attnscope::gui {

struct SweepData;

// Draws into `plot` (cleared first). Graphs carry property "role": "seeds" (one per variant), "mean".
void drawVariantSeeds(QCustomPlot* plot, const SweepData& data, bool logit);

} // namespace attnscope::gui
