#include "core/train/presets.h"

namespace attnscope {

namespace {

// R1-sized character model on the fortunes corpus: a few minutes on two cores.
RunSpec baseSpec() {
    RunSpec s;
    s.model.layers = 4, s.model.heads = 4, s.model.dModel = 128, s.model.context = 128;
    s.train.batch = 16, s.train.steps = 2000, s.train.lr = 1e-3, s.train.warmup = 100;
    s.train.recordEvery = 25, s.train.evalEvery = 100, s.train.checkpointEvery = 500;
    s.data.source = "fortunes";
    return s;
}

// The instability regime (Wortsman et al. 2023 at CPU scale): 4 layers, 4 heads, d 64, context 256, batch 8,
// constant LR after a 100-step warmup, no weight decay. The baseline's layer-0 logits grow by orders of
// magnitude and its heads collapse to ≈0 nats.
RunSpec highLrSpec() {
    RunSpec s;
    s.model.layers = 4, s.model.heads = 4, s.model.dModel = 64, s.model.context = 256;
    s.train.batch = 8, s.train.steps = 600, s.train.lr = 3e-2, s.train.minLrRatio = 1.0, s.train.warmup = 100;
    s.train.weightDecay = 0.0, s.train.recordEvery = 10, s.train.evalEvery = 50, s.train.checkpointEvery = 0;
    s.train.probeLength = 96; // full 256² maps ×16 heads every 10 steps would make the run file huge
    s.data.source = "fortunes";
    return s;
}

// Length extrapolation (Press et al.): train at L = 64, evaluate at 64…512.
RunSpec extrapolationSpec() {
    RunSpec s = baseSpec();
    s.model.context = 64, s.train.batch = 32, s.train.steps = 1500;
    return s;
}

// Value residual (Zhou et al.): deeper and narrower so later layers exist to benefit.
RunSpec valueResidualSpec() {
    RunSpec s = baseSpec();
    s.model.layers = 6, s.model.dModel = 64, s.model.context = 128, s.train.steps = 1500, s.train.lr = 2e-3;
    return s;
}

// The Bigram-Backcopy sink regime (Guo et al. 2024): 1 layer × 1 head, d 64, context
// 64, batch 32, learned positions, AdamW β (0.9, 0.95), weight decay 0.1, clip 1, LR 3e-3 held constant after
// a 100-step warmup. Every sequence starts with <bos>; the sink forms on it within ~1000 steps.
RunSpec sinkSpec() {
    RunSpec s;
    s.model.layers = 1, s.model.heads = 1, s.model.dModel = 64, s.model.context = 64;
    s.train.batch = 32, s.train.steps = 2000, s.train.lr = 3e-3, s.train.warmup = 100,
    s.train.minLrRatio = 1.0;
    s.train.weightDecay = 0.1, s.train.beta1 = 0.9, s.train.beta2 = 0.95, s.train.gradClip = 1.0;
    s.train.recordEvery = 50, s.train.evalEvery = 100, s.train.checkpointEvery = 500;
    s.data.source = "task", s.data.task = "bigram-backcopy", s.data.taskTriggers = 3, s.data.bos = true;
    return s;
}

// The induction lesson's run (Olsson et al. 2022): 2 layers × 4 heads, d 64, context 64, rotary positions,
// the `induction` task (a random block of 8–16 distinct symbols out of 16, then its repeat) after <bos>,
// batch 16, LR 1e-3 with cosine decay to 1e-4, 2000 steps. A previous-token head forms in layer 0 and
// induction heads in layer 1, together, in a phase change a few hundred steps in. Rotary positions make "the
// key one before me" a fixed rotation, so layer 0's previous-token head is sharp (score > 0.8); with learned
// positions the same model solves the task with layer-0 heads that spread over the last few keys (score ≈
// 0.35; docs/experiments.md §8).
RunSpec inductionSpec() {
    RunSpec s;
    s.model.layers = 2, s.model.heads = 4, s.model.dModel = 64, s.model.context = 64;
    s.model.position = PositionScheme::Rope;
    s.train.batch = 16, s.train.steps = 2000, s.train.lr = 1e-3, s.train.warmup = 100;
    // Snapshots and evaluations often enough to resolve a phase change that takes ~200 steps.
    s.train.recordEvery = 25, s.train.evalEvery = 50, s.train.checkpointEvery = 500, s.train.probeLength = 64;
    // The induction probe repeats 12 random symbols: a block length the task trains on (the automatic length,
    // 16, is the longest block the task makes, rare in training).
    s.train.inductionProbe = 12;
    s.data.source = "task", s.data.task = "induction", s.data.taskAlphabet = 16, s.data.bos = true;
    return s;
}

std::vector<Preset> build() {
    std::vector<Preset> p;
    auto add = [&](std::string id, std::string description, std::string experiment, RunSpec spec) {
        spec.name = id;
        spec.preset = id;
        spec.description = description;
        p.push_back({std::move(id), std::move(description), std::move(experiment), std::move(spec)});
    };
    RunSpec s = baseSpec();
    add("baseline", "Pre-LN GPT, learned positions, 4×4 heads, d 128, on English fortunes", "", s);
    s = baseSpec(), s.model.position = PositionScheme::Alibi;
    add("alibi", "ALiBi: per-head linear distance bias, no position embedding (Press et al.)", "", s);
    s = baseSpec(), s.model.position = PositionScheme::Sinusoidal;
    add("sinusoidal", "Sinusoidal position table (scaled to the embedding RMS)", "", s);
    s = baseSpec(), s.model.position = PositionScheme::Rope;
    add("rope", "Rotary position embedding on q and k", "", s);
    s = baseSpec(), s.model.position = PositionScheme::Sinusoidal, s.model.lsAttention = true;
    s.model.globalHeads = 1, s.model.window = 32;
    add("ls-attention", "LS-attention: 3 local heads (window 32) + 1 global head per layer (Hajra)", "", s);
    s = baseSpec(), s.model.valueResidual = ValueResidual::Identity;
    add("resformer", "ResFormer: V'_n = ½V_1 + ½V_n in every later layer (Zhou et al.)", "", s);
    s = baseSpec(), s.model.valueResidual = ValueResidual::Learnable;
    add("resformer-learnable", "ResFormer with learnable λ1, λ2 per layer (init ½, ½)", "", s);
    s = baseSpec(), s.model.valueResidual = ValueResidual::SVFormer;
    add("svformer", "SVFormer: layers ≥ 2 reuse layer 1's values (no value projection)", "", s);
    s = baseSpec(), s.model.sigmaReparam = SigmaReparam::Fused, s.model.gammaInit = GammaInit::Sigma0;
    add("sigma-reparam", "σReparam: every linear W → γ/σ(W)·W, γ₀ = σ(W₀) (Zhai et al.)", "", s);
    s = baseSpec(), s.model.qkNorm = true;
    add("qk-norm", "QK-LayerNorm per head (Dehghani et al.; stabiliser baseline)", "", s);
    s = baseSpec(), s.model.zLoss = 1e-4;
    add("z-loss", "z-loss 1e-4·(log Z)² on the output logits (stabiliser baseline)", "", s);
    s = baseSpec(), s.data.bos = true, s.train.steps = 3000;
    add("sinks-bos", "Every sequence starts with <bos>: a consistent first token where sinks can form", "",
        s);
    add("induction", "Induction task, 2×4 heads: a previous-token head, then induction heads (Olsson et al.)",
        "", inductionSpec());

    const std::string growth = "logit-growth";
    s = highLrSpec(), s.model.position = PositionScheme::Sinusoidal;
    add("exp-logit-growth/baseline", "High LR, no weight decay: vanilla MHSA (sinusoidal PE)", growth, s);
    s.model.lsAttention = true, s.model.window = 16, s.model.globalHeads = 1;
    add("exp-logit-growth/ls-attention", "Same, LS-attention: 3 local heads (w=16) + 1 global", growth, s);

    const std::string collapse = "entropy-collapse";
    s = highLrSpec();
    add("exp-entropy-collapse/baseline", "High LR, no weight decay: vanilla attention", collapse, s);
    s.model.sigmaReparam = SigmaReparam::Fused, s.model.gammaInit = GammaInit::Sigma0;
    add("exp-entropy-collapse/sigma-reparam", "Same, σReparam on every linear layer", collapse, s);

    const std::string extrapolation = "extrapolation";
    s = extrapolationSpec(), s.model.position = PositionScheme::Alibi;
    add("exp-extrapolation/alibi", "Train at L=64 with ALiBi; evaluate at 64…512", extrapolation, s);
    s.model.position = PositionScheme::Sinusoidal;
    add("exp-extrapolation/sinusoidal", "Train at L=64 with sinusoidal positions", extrapolation, s);
    s.model.position = PositionScheme::Learned;
    add("exp-extrapolation/learned", "Train at L=64 with learned positions (cannot go past 64)",
        extrapolation, s);

    const std::string sinks = "sinks";
    s = sinkSpec();
    add("sinks/bigram-backcopy",
        "Bigram-Backcopy task, 1×1 head, AdamW: an attention sink forms on <bos> (Guo et al.)", sinks, s);
    s = sinkSpec(), s.model.attention = AttentionFunction::Relu;
    add("sinks/bigram-backcopy-relu", "Same, ReLU attention relu(q·k/√D)/n: no sink", sinks, s);
    s = sinkSpec(), s.train.optimizer = OptimizerKind::Sgd, s.train.lr = 3e-2, s.train.momentum = 0.9;
    add("sinks/bigram-backcopy-sgd", "Same, SGD with momentum 0.9 (LR 3e-2) instead of AdamW", sinks, s);
    s = sinkSpec(), s.model.layers = 2, s.model.heads = 4;
    add("sinks/bigram-backcopy-2x4", "Same, 2 layers × 4 heads: which heads become sinks", sinks, s);
    s = sinkSpec(), s.data.bos = false;
    add("sinks/bigram-backcopy-no-bos", "Same, no <bos>: where the dormant attention goes instead", sinks, s);

    const std::string residual = "value-residual";
    s = valueResidualSpec();
    add("exp-value-residual/vanilla", "6 layers, d 64: vanilla attention", residual, s);
    s.model.valueResidual = ValueResidual::Identity;
    add("exp-value-residual/resformer", "Same, ResFormer (½V_1 + ½V_n)", residual, s);
    s.model.valueResidual = ValueResidual::SVFormer;
    add("exp-value-residual/svformer", "Same, SVFormer (shared V_1)", residual, s);
    return p;
}

} // namespace

const std::vector<Preset>& presets() {
    static const std::vector<Preset> all = build();
    return all;
}

const Preset* findPreset(const std::string& id) {
    for (const Preset& p : presets())
        if (p.id == id) return &p;
    return nullptr;
}

std::string defaultPresetId() {
    return "baseline";
}

} // namespace attnscope
