// Validation of the training settings. Each violated constraint is one sentence naming the
// JSON key (RunSpec::validate prefixes "train: "), so a user can fix all of them at once.
// Comparisons are written so that NaN fails them.
#include "core/train/train_config.h"

#include "core/util/config_checker.h"

#include <cmath>

namespace attnscope {

std::vector<std::string> TrainConfig::validate() const {
    ConfigChecker c;
    c.require(batch >= 1, "batch", "at least 1", batch);
    c.require(steps >= 1, "steps", "at least 1", steps);
    c.require(lr > 0 && std::isfinite(lr), "lr", "a positive finite number", lr);
    c.require(minLrRatio >= 0 && minLrRatio <= 1, "min_lr_ratio", "between 0 and 1", minLrRatio);
    c.require(warmup >= 0, "warmup", "0 or more steps", warmup);
    c.require(momentum >= 0 && momentum < 1, "momentum", "in [0, 1)", momentum);
    c.require(weightDecay >= 0 && std::isfinite(weightDecay), "weight_decay", "0 or a positive finite number",
              weightDecay);
    c.require(beta1 >= 0 && beta1 < 1, "beta1", "in [0, 1)", beta1);
    c.require(beta2 >= 0 && beta2 < 1, "beta2", "in [0, 1)", beta2);
    c.require(eps > 0 && std::isfinite(eps), "eps", "a positive finite number", eps);
    c.require(gradClip >= 0 && std::isfinite(gradClip), "grad_clip", "0 (off) or a positive finite number",
              gradClip);
    c.require(threads >= 0, "threads", "0 (all cores) or more", threads);
    c.require(recordEvery >= 1, "record_every", "at least 1 step", recordEvery);
    c.require(evalEvery >= 1, "eval_every", "at least 1 step", evalEvery);
    c.require(evalBatches >= 1, "eval_batches", "at least 1", evalBatches);
    c.require(checkpointEvery >= 0, "checkpoint_every", "0 (only at the end) or more steps", checkpointEvery);
    c.require(probeLength == 0 || probeLength >= 2, "probe_length", "0 (the context) or at least 2 tokens",
              probeLength);
    c.require(inductionProbe >= -1, "induction_probe", "-1 (none), 0 (automatic) or a number of tokens",
              inductionProbe);
    return c.errors;
}

} // namespace attnscope
