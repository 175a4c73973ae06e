// Validation of the optimisation and data settings. Each violated constraint is one sentence naming the
// JSON key (RunSpec::validate prefixes "train: " / "data: "), so a user can fix all of them at once.
// Comparisons are written so that NaN fails them.
#include "core/train/train_config.h"

#include "core/data/synthetic_tasks.h"
#include "core/data/token_source.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnscope {

namespace {

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i)
        s += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + ("\"" + names[i] + "\"");
    return s;
}

struct Checker {
    std::vector<std::string> errors;
    void require(bool ok, const std::string& key, const std::string& rule, double got) {
        if (!ok) errors.push_back(key + " must be " + rule + " (got " + num(got) + ").");
    }
};

} // namespace

const char* toString(OptimizerKind k) {
    return k == OptimizerKind::AdamW ? "adamw" : "sgd";
}

bool parse(const std::string& s, OptimizerKind& out) {
    if (s == "adamw")
        out = OptimizerKind::AdamW;
    else if (s == "sgd")
        out = OptimizerKind::Sgd;
    else
        return false;
    return true;
}

std::vector<std::string> TrainConfig::validate() const {
    Checker c;
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

std::vector<std::string> DataConfig::validate() const {
    Checker c;
    const auto& sources = dataSourceNames();
    if (std::find(sources.begin(), sources.end(), source) == sources.end())
        c.errors.push_back("source \"" + source + "\" is unknown; choose " + joined(sources) + ".");
    if (source == "file" && path.empty())
        c.errors.push_back("path must name a text file when source is \"file\".");
    if (source == "task") {
        // Task settings are checked only when a task is used, so a text run never fails on them.
        const auto& tasks = taskNames();
        if (std::find(tasks.begin(), tasks.end(), task) == tasks.end())
            c.errors.push_back("task \"" + task + "\" is unknown; choose " + joined(tasks) + ".");
        c.require(taskAlphabet >= 2 && taskAlphabet <= 64, "task_alphabet", "between 2 and 64 symbols",
                  taskAlphabet);
        c.require(taskLocalK >= 1 && taskLocalK <= 16, "task_local_k", "between 1 and 16", taskLocalK);
        c.require(taskTriggers >= 1 && taskTriggers <= 32, "task_triggers", "between 1 and 32", taskTriggers);
    }
    c.require(valFraction > 0 && valFraction < 1, "val_fraction", "strictly between 0 and 1", valFraction);
    return c.errors;
}

} // namespace attnscope
