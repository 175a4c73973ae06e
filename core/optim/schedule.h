#pragma once
// Learning-rate schedule: linear warmup to the peak, then cosine decay to the floor (nanoGPT, §1.2).
#include "core/train/train_config.h"

namespace attnscope {

// Learning rate for 1-based step `step` of `config.steps`.
double learningRate(const TrainConfig& config, int step);

} // namespace attnscope
