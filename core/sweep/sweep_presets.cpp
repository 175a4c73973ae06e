#include "core/sweep/sweep_presets.h"

#include <cmath>

namespace attnscope {

namespace {

using nlohmann::json;

SweepAxis seeds(int n) {
    SweepAxis a{"seed", "train.seed", {}, {}};
    for (int s = 1; s <= n; ++s) a.values.push_back(s), a.labels.push_back(std::to_string(s));
    return a;
}

SweepAxis variants(const std::vector<std::pair<std::string, json>>& list) {
    SweepAxis a{"variant", "", {}, {}};
    for (const auto& [label, set] : list) a.labels.push_back(label), a.values.push_back(set);
    return a;
}

// Wortsman et al. 2023: LR sensitivity of the stabilisers on the entropy-collapse model
// (4 layers × 4 heads, d 64, context 256, batch 8, no weight decay, constant LR after warmup). Shortened to
// 100 steps with a 10-step warmup (the preset trains 600 after a 100-step warmup) so that 75 cells fit in
// ≈ 15 minutes on two free cores (0.12 s per step on one core); at LR 1e-1 the baseline's layer-0 logits pass
// 10³ within 100 steps (docs/experiments.md).
SweepSpec lrSensitivity() {
    SweepSpec s;
    s.name = "lr-sensitivity";
    s.description = "Wortsman et al. LR sensitivity: 5 LRs × 5 variants × 3 seeds, entropy-collapse model";
    s.basePreset = "exp-entropy-collapse/baseline";
    s.base = json{{"train",
                   {{"steps", 100},
                    {"warmup", 10},
                    {"eval_every", 50},
                    {"record_every", 50},
                    {"checkpoint_every", 25},
                    {"probe_length", 32}}}};
    s.axes.push_back(variants(
        {{"baseline", json::object()},
         {"ls-attention", {{"model", {{"ls_attention", true}, {"window", 16}, {"global_heads", 1}}}}},
         {"sigma-reparam", {{"model", {{"sigma_reparam", "fused"}, {"gamma_init", "sigma0"}}}}},
         {"qk-norm", {{"model", {{"qk_norm", true}}}}},
         {"z-loss", {{"model", {{"z_loss", 1e-4}}}}}}));
    SweepAxis lr{"lr", "train.lr", {}, {}};
    for (int i = 0; i <= 4; ++i) { // 1e-3 … 1e-1, log-spaced: 10^(−3 + i/2)
        const double v = std::pow(10.0, -3.0 + 0.5 * i);
        lr.values.push_back(v);
        lr.labels.push_back(axisLabel(v));
    }
    s.axes.push_back(lr);
    s.axes.push_back(seeds(3));
    return s;
}

// Zhou et al.: vanilla vs ResFormer over seeds on the value-residual model (6 layers
// × 4 heads, d 64, context 128), shortened to 300 steps (the preset trains 1500) so that 6 cells fit in ≈ 10
// minutes on two free cores. SVFormer is one more variant: {"label": "svformer", "set": {"model":
// {"value_residual": "svformer"}}} in a --spec file (docs/cli.md).
SweepSpec valueResidualSeeds() {
    SweepSpec s;
    s.name = "value-residual-seeds";
    s.description = "Vanilla vs ResFormer, 3 seeds, value-residual model (300 steps)";
    s.basePreset = "exp-value-residual/vanilla";
    s.base = json{
        {"train", {{"steps", 300}, {"record_every", 100}, {"checkpoint_every", 100}, {"probe_length", 32}}}};
    s.axes.push_back(variants(
        {{"vanilla", json::object()}, {"resformer", {{"model", {{"value_residual", "identity"}}}}}}));
    s.axes.push_back(seeds(3));
    return s;
}

std::vector<SweepPreset> build() {
    std::vector<SweepPreset> p;
    for (const SweepSpec& s : {lrSensitivity(), valueResidualSeeds()})
        p.push_back({s.name, s.description, s});
    return p;
}

} // namespace

const std::vector<SweepPreset>& sweepPresets() {
    static const std::vector<SweepPreset> all = build();
    return all;
}

const SweepPreset* findSweepPreset(const std::string& id) {
    for (const SweepPreset& p : sweepPresets())
        if (p.id == id) return &p;
    return nullptr;
}

} // namespace attnscope
