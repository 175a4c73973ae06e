#pragma once
// Optimiser, schedule, data and recording settings of one training run.
#include <cstdint>
#include <string>
#include <vector>

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

struct TrainConfig {
    int batch = 16;
    int steps = 2000;
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
    std::uint64_t seed = 1337;
    int threads = 0; // 0 = all cores

    // Recording cadence
    int recordEvery = 25;      // probe snapshot (attention maps + per-head metrics) every N steps
    int evalEvery = 100;       // validation loss every N steps
    int evalBatches = 4;       // validation batches per evaluation
    int checkpointEvery = 500; // checkpoint into the run file every N steps (0: only at the end)
    int probeLength = 0;       // tokens in the probe sequence (0: the context); maps are probeLength²
    // Induction probe (core/probe/induction_probe.h): n random tokens repeated once; n here, 0 = as many as
    // the context and vocabulary allow, −1 = none.
    int inductionProbe = 0;

    std::vector<std::string> validate() const;
};

// Where the tokens come from.
struct DataConfig {
    // "fortunes" (Debian fortunes English text), "file" (path), or "task" (synthetic, see `task`)
    std::string source = "fortunes";
    std::string path;          // for source == "file"
    std::string task = "copy"; // copy|reverse|sort|induction|modadd|local
    int taskAlphabet = 16;     // synthetic tasks: number of distinct symbols
    int taskLocalK = 4;        // local task: target depends on previous k tokens
    bool bos = false;          // prepend a BOS separator to every training sequence (attention-sink studies)
    // Text corpora: every sequence starts at a document start (the first token after a blank line, or the
    // corpus start) instead of a random offset; implies bos. Synthetic tasks are always aligned.
    bool bosAligned = false;
    int taskTriggers = 3;     // bigram-backcopy: the k most frequent characters are triggers
    double valFraction = 0.1; // tail of the corpus used for validation
    std::string probeText;    // optional custom probe text; default taken from validation data

    std::vector<std::string> validate() const;
};

} // namespace attnscope
