#include "core/optim/schedule.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

double learningRate(const OptimizerConfig& c, int step) {
    const double floor = c.lr * c.minLrRatio;
    if (c.warmup > 0 && step <= c.warmup) return c.lr * double(step) / double(c.warmup);
    const int decaySteps = std::max(1, c.steps - c.warmup);
    const double progress = std::clamp(double(step - c.warmup) / decaySteps, 0.0, 1.0);
    return floor + 0.5 * (1.0 + std::cos(M_PI * progress)) * (c.lr - floor);
}

} // namespace attnscope
