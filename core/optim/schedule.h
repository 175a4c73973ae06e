#pragma once
// Learning-rate schedule: linear warmup to the peak, then cosine decay to the floor (nanoGPT, §1.2).
#include "core/optim/optimizer_config.h"

namespace attnscope {

// Learning rate for 1-based step `step` of `config.steps`.
double learningRate(const OptimizerConfig& config, int step);

} // namespace attnscope
