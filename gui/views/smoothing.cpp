#include "gui/views/smoothing.h"

#include <cmath>

namespace attnscope::gui {

double emaStep(EmaState& state, double value, double weight) {
    if (!std::isfinite(value) || weight <= 0) return value;
    state.last = state.last * weight + (1 - weight) * value;
    ++state.count;
    // Starting the average at 0 biases early values toward 0; dividing by 1 − w^n removes that bias
    // (TensorBoard #610/#639).
    const double debias = weight >= 1 ? 1 : 1 - std::pow(weight, state.count);
    return state.last / debias;
}

std::vector<double> debiasedEma(const std::vector<double>& values, double weight) {
    std::vector<double> out;
    out.reserve(values.size());
    EmaState state;
    for (double v : values) out.push_back(emaStep(state, v, weight));
    return out;
}

} // namespace attnscope::gui
