#pragma once
// TensorBoard's "classic" smoothing: a debiased exponential moving average (tensorboard
// webapp/widgets/line_chart_v2/data_transformer.ts::classicSmoothing), so our numbers match
// what users see in TensorBoard and W&B. Non-finite values pass through and do not disturb the average.
#include <vector>

namespace attnscope::gui {

struct EmaState {
    double last = 0;
    int count = 0;
};

// Feeds one value; returns its smoothed value. weight ∈ [0, 1): 0 returns the input unchanged.
double emaStep(EmaState& state, double value, double weight);
std::vector<double> debiasedEma(const std::vector<double>& values, double weight);

} // namespace attnscope::gui
