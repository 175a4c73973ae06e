#pragma once
// The quantities that texts quote about recorded runs (lessons, README, docs): each is defined here once and
// computed from the recorded data, so every quoted number can be checked against the run it describes
// (tests/tst_quoted_numbers.cpp) and the views draw the same number the text quotes.
#include "core/probe/snapshot.h"

namespace attnscope {

struct RecordedRun;

// The last validation loss recorded at or before `step` (over the whole run when step < 0); NaN when none.
double valLossAt(const RecordedRun& run, int step = -1);
// The latest non-overlapping evaluation at `length` tokens (Press et al.); NaN when the run has none.
double evalLossAt(const RecordedRun& run, int length);
// How many events of `kind` the run recorded.
int eventCount(const RecordedRun& run, EventKind kind);

// The largest content logit q·k/√D of any head of `layer` (max over heads of ProbeSnapshot::maxLogit); NaN
// when the layer has no finite value.
double layerMaxLogit(const ProbeSnapshot& snapshot, int layer);
// The smallest head entropy (nats) of `layer`, or of the whole model when layer < 0.
double minHeadEntropy(const ProbeSnapshot& snapshot, int layer = -1);
// The mean head entropy (nats) over layers [firstLayer, lastLayer] (lastLayer < 0: the last layer).
double meanHeadEntropy(const ProbeSnapshot& snapshot, int firstLayer = 0, int lastLayer = -1);
// The mean recorded causal entropy bound (Zhai et al. Thm 3.1 per causal row, core/probe/entropy_bound.h)
// over the heads of layers [firstLayer, lastLayer]; NaN when the snapshot carries no bound.
double meanCausalBound(const ProbeSnapshot& snapshot, int firstLayer = 0, int lastLayer = -1);
// The largest recorded causal bound of a head of `layer`; NaN when none.
double maxCausalBound(const ProbeSnapshot& snapshot, int layer);

// Mean over heads of `layer` of the sink score α₁ (attention on key 0), and of the score over the non-trigger
// queries only (Guo et al.); NaN when not recorded.
double meanSinkScore(const ProbeSnapshot& snapshot, int layer);
double meanSinkNonTrigger(const ProbeSnapshot& snapshot, int layer);
// The value-state norm ‖v_j W_o‖ of key `key` in head (layer, head), and the median over every other key.
double valueNormAt(const ProbeSnapshot& snapshot, int layer, int head, int key);
double medianValueNormExcept(const ProbeSnapshot& snapshot, int layer, int head, int key);
// The residual norm ‖x_j‖ at position `position` entering layer `boundary` (boundary = layers: the final
// stream), and the median over every other position.
double residualNormAt(const ProbeSnapshot& snapshot, int boundary, int position);
double medianResidualNormExcept(const ProbeSnapshot& snapshot, int boundary, int position);

} // namespace attnscope
