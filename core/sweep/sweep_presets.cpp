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

// Wortsman et al. 2023 (mechanisms.md §6.1): LR sensitivity of the stabilisers on the entropy-collapse model
// (4 layers × 4 heads, d 64, context 256, batch 8, no weight decay, constant LR after warmup). Shortened to
// 200 steps (the preset trains 600) so that 75 cells fit in ≈ 20 minutes on two shared cores.
SweepSpec lrSensitivity() {
    SweepSpec s;
    s.name = "lr-sensitivity";
    s.description = "Wortsman et al. LR sensitivity: 5 LRs × 5 variants × 3 seeds, entropy-collapse model";
    s.basePreset = "exp-entropy-collapse/baseline";
    s.base = json{{"train",
                   {{"steps", 200},
                    {"warmup", 20},
                    {"eval_every", 50},
                    {"record_every", 50},
                    {"checkpoint_every", 50},
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

// Zhou et al. (mechanisms.md §4, §11): vanilla vs ResFormer vs SVFormer over seeds on the value-residual
// model (6 layers × 4 heads, d 64, context 128), shortened to 800 steps (the preset trains 1500).
SweepSpec valueResidualSeeds() {
    SweepSpec s;
    s.name = "value-residual-seeds";
    s.description = "Vanilla vs ResFormer vs SVFormer, 3 seeds, value-residual model";
    s.basePreset = "exp-value-residual/vanilla";
    s.base = json{
        {"train", {{"steps", 800}, {"record_every", 200}, {"checkpoint_every", 200}, {"probe_length", 32}}}};
    s.axes.push_back(variants({{"vanilla", json::object()},
                               {"resformer", {{"model", {{"value_residual", "identity"}}}}},
                               {"svformer", {{"model", {{"value_residual", "svformer"}}}}}}));
    s.axes.push_back(seeds(3));
    return s;
}

std::vector<SweepPreset> build() {
    std::vector<SweepPreset> p;
    for (SweepSpec s : {lrSensitivity(), valueResidualSeeds()}) p.push_back({s.name, s.description, s});
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
