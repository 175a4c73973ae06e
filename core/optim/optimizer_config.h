#pragma once
// The optimiser's settings and its learning-rate schedule (a run spec's "train" object holds them, through
// TrainConfig, which adds the batch, seed, threads and recording cadence).
#include <string>

namespace attnscope {

enum class WeightDecayMode {
    Decoupled,   // PyTorch AdamW: θ ← θ − η_t·λ·θ (λ scaled by the schedule's lr)
    Independent, // Wortsman et al.: θ ← θ − s_t·λ·θ (λ scaled by the schedule factor only)
};

enum class OptimizerKind {
    AdamW, // Loshchilov & Hutter (core/optim/adamw.h)
    Sgd,   // SGD with heavy-ball momentum (core/optim/sgd.h)
};

// Names used in config files and the CLI: "adamw", "sgd".
const char* toString(OptimizerKind k);
bool parse(const std::string& s, OptimizerKind& out);

struct OptimizerConfig {
    int steps = 2000;        // schedule length (the run's total steps)
    double lr = 1e-3;        // peak learning rate
    double minLrRatio = 0.1; // cosine floor = lr·minLrRatio
    int warmup = 100;        // linear warmup steps
    OptimizerKind optimizer = OptimizerKind::AdamW;
    double momentum = 0.9; // SGD only
    double weightDecay = 0.1;
    WeightDecayMode decayMode = WeightDecayMode::Decoupled;
    double beta1 = 0.9;
    double beta2 = 0.95;
    double eps = 1e-8;
    double gradClip = 1.0; // global-norm clip; 0 disables
};

} // namespace attnscope
