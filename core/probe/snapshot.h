#pragma once
// Value types the trainer hands to its consumers (GUI, run store, CLI). Plain structs, copyable, no Qt.
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attnscope {

inline constexpr double kNotEvaluated = std::numeric_limits<double>::quiet_NaN();

// How a run file stores the attention and logit maps (docs/run-format.md, "Map encodings"): float16
// ("f16_tril_zlib") or 8 bits per value against each row's range ("q8_tril_zlib", about a tenth of the bytes,
// error ≤ (row max − row min)/504).
enum class MapPrecision { Float16, Quantized8 };

// One optimisation step.
struct StepRecord {
    int step = 0; // 1-based index of the completed step
    // The training objective the optimiser minimised: mean cross-entropy over scored targets plus the z-loss
    // term c·mean(log Z)² when z-loss is on (Wortsman et al. 2023); equals ceLoss when it is off.
    double loss = 0;
    // The mean cross-entropy alone (nats per scored target): compare this across runs with and without
    // z-loss. NaN in files of schema 1, which did not record it.
    double ceLoss = kNotEvaluated;
    double valLoss = kNotEvaluated; // validation cross-entropy (no z-loss) when evaluated at this step
    double lr = 0;
    double gradNorm = 0; // global L2 norm before clipping
    double tokensPerSec = 0;
    double elapsedSec = 0; // wall time since the run started (excluding pauses)
    // Named per-step scalars beyond the fixed columns (run file table step_scalars), e.g. the
    // bigram-backcopy task's "bigram_loss", "backcopy_loss" and, at evaluation steps, "val_bigram_loss",
    // "val_backcopy_loss". Empty for most runs.
    std::vector<std::pair<std::string, double>> scalars;
};

// Instrumentation of the fixed probe sequence at one step. Arrays indexed
// [layer * heads + head] unless noted.
struct ProbeSnapshot {
    int step = 0;
    int layers = 0, heads = 0, length = 0; // length = probe sequence length T
    std::vector<std::int32_t> tokens;      // probe inputs (T)

    std::vector<float> entropy;      // mean over queries of −Σ A ln A (nats)
    std::vector<float> normEntropy;  // mean over queries with ≥2 visible keys of H_i / ln n_i
    std::vector<float> maxLogit;     // max content logit q·k/√D over visible pairs (before bias/mask)
    std::vector<float> meanRowMax;   // mean over queries of the row's max content logit
    std::vector<float> sinkScore;    // α_1: mean attention on key 0 over the queries that see it
    std::vector<float> meanDistance; // mean over queries of Σ_j A_ij (i − j)
    // Head scores on this probe's tokens (core/probe/head_scores.h; schema 3, empty in older files).
    std::vector<float> previousToken;  // mean A_{i,i−1}
    std::vector<float> duplicateToken; // attention to earlier occurrences of the query's token
    std::vector<float> inductionScore; // attention to the token after an earlier occurrence (prefix matching)
    std::vector<float> localMass;      // attention within kLocalWindow keys of the query
    std::vector<float> sigmaQK;        // ‖W_q^h W_k^hᵀ‖₂ estimate (power iteration)
    std::vector<float> sigmaQ;         // σ(W_q^h)
    std::vector<float> sigmaK;         // σ(W_k^h)
    std::vector<float> entropyBound;   // σReparam Theorem 3.1 lower bound (NaN when not applicable)
    std::vector<float> keyProfile; // [layer][head][T]: mean attention key j receives from queries seeing it
    // Extreme-token metrics (Guo et al. 2024); docs/metrics.md has the formulas.
    std::vector<float> sinkNonTrigger; // mean A_i0 over queries i ≥ 1 whose token is not a trigger
    std::vector<float> topKey;         // key j with the largest received attention Σ_i A_ij (an index)
    std::vector<float> topKeyShare;    // Σ_i A_i,topKey / Σ_ij A_ij: its share of the head's attention
    std::vector<float> valueNorm; // [layer][head][T]: ‖v_j^h W_o^h‖, the head's value at key j after W_o
    std::vector<float> residualNorm; // [layer + 1][T]: ‖x_j‖ entering layer l; row `layers` = final stream

    std::vector<float> importanceEntropy; // [layer] ResFormer importance entropy (§4.3)
    float sinkRate = 0;                   // fraction of heads with sinkScore > 0.3
    float outLogitMax = 0;                // max |output logit| over the probe
    float meanLogZ = 0;                   // mean log-sum-exp of output logits

    // Model-level scalars keyed by name, e.g. σReparam "sigma/l0.qkv", "gamma/l0.qkv", ResFormer
    // "lambda1/l2", per-tensor "update_ratio/l0.qkv.w".
    std::vector<std::string> scalarNames;
    std::vector<float> scalarValues;

    // The induction probe's snapshot at the same step (fixed seeded random tokens, then the same tokens
    // again; core/data/induction_probe.h): its own maps and scores. Null when the run records none.
    std::shared_ptr<const ProbeSnapshot> induction;

    // Attention maps [layer][head][T][T], dense (local heads expanded), exactly 0 where masked.
    std::vector<float> attention;
    // Content logits q·k/√D [layer][head][T][T]; NaN where the key is not visible to the query. Empty when
    // the run does not store them (train.probe_logits false).
    std::vector<float> logits;
    // The encoding the run file uses for the two maps above (train.map_precision).
    MapPrecision mapPrecision = MapPrecision::Float16;
    // Read without its maps (RunReader::snapshot(step, false)): `attention` and `logits` are empty although
    // the file may hold them; RunReader::snapshot(step) decodes them. Keeps an opened run's memory
    // independent of its map size.
    bool mapsOmitted = false;

    std::size_t headIndex(int layer, int head) const { return std::size_t(layer) * heads + head; }
    const float* map(int layer, int head) const {
        return attention.data() + headIndex(layer, head) * std::size_t(length) * length;
    }
    const float* logitMap(int layer, int head) const {
        return logits.data() + headIndex(layer, head) * std::size_t(length) * length;
    }
};

// Unknown: a kind this build does not know (a newer writer's); readers keep it with its stored name.
enum class EventKind {
    NonFinite,
    LossSpike,
    EntropyCollapse,
    LogitExplosion,
    Diverged,
    Note,
    RoleChange,  // a head took a new role (core/probe/head_roles.h)
    PhaseChange, // induction scores and the in-context-learning score moved sharply together
    Unknown
};
const char* toString(EventKind k);
// Inverse of toString; nullopt for an unknown name (e.g. from a newer run file).
std::optional<EventKind> parseEventKind(std::string_view name);

struct Event {
    Event() = default;
    Event(int step_, EventKind kind_, std::string message_, std::string rawKind_ = {})
        : step(step_), kind(kind_), message(std::move(message_)), rawKind(std::move(rawKind_)) {}
    int step = 0;
    EventKind kind = EventKind::Note;
    std::string message; // e.g. "layer 0 head 2 entropy 2.31 → 0.04 nats"
    std::string rawKind; // the stored name when kind is Unknown
    // The name to show and store: the stored one for a kind this build does not know.
    std::string kindName() const { return kind == EventKind::Unknown ? rawKind : toString(kind); }
};

// Unknown: a status this build does not know (a newer writer's); shown by its stored name.
enum class RunStatus { Created, Training, Paused, Finished, Stopped, Diverged, Failed, Unknown };
const char* toString(RunStatus s);
std::optional<RunStatus> parseRunStatus(std::string_view name);

// Evaluation of loss at a sequence length (length extrapolation, §3.2).
struct EvalRecord {
    int step = 0;
    int length = 0;
    std::string mode; // "nonoverlapping" or "sliding:<stride>"
    double loss = kNotEvaluated;
    double perplexity = kNotEvaluated;
    std::string note; // e.g. "learned positions cannot extrapolate past L"
};

using SnapshotPtr = std::shared_ptr<const ProbeSnapshot>;

// Index in step-ordered `snapshots` of the last one recorded at or before `step` (the first one when none is
// that early); -1 when there are none.
int snapshotIndexAt(const std::vector<SnapshotPtr>& snapshots, int step);

} // namespace attnscope
