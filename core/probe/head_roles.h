#pragma once
// What each head does at a snapshot, named by one role, and the events the roles and the in-context-learning
// score raise over a run. Every threshold is here and in docs/metrics.md ("Head roles").
#include "core/probe/snapshot.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

// Checked in this order: the first role whose test passes is the head's role.
enum class HeadRole { Induction, PreviousToken, DuplicateToken, Sink, Local, Diffuse, Mixed };
inline constexpr int kHeadRoleCount = 7;
const char* toString(HeadRole role); // "induction", "previous-token", ... (stored, never renamed)
const char* roleNoun(HeadRole role); // "an induction head", "a sink head", ..., "a mixed head"
std::optional<HeadRole> parseHeadRole(const std::string& name);

struct RoleThresholds {
    static constexpr float induction = 0.4f;      // induction (prefix-matching) score ≥
    static constexpr float previousToken = 0.4f;  // previous-token score ≥
    static constexpr float duplicateToken = 0.4f; // duplicate-token score ≥
    static constexpr float sink = 0.3f;    // first-token score > (Gu et al.'s ε, also the sink rate's)
    static constexpr float local = 0.7f;   // local mass (kLocalWindow keys) ≥
    static constexpr float diffuse = 0.8f; // normalised entropy ≥
};

// One head's scores as its role reads them.
struct RoleScores {
    float previousToken = 0, duplicateToken = 0, induction = 0;       // induction probe when recorded
    float sink = 0, localMass = 0, meanDistance = 0, normEntropy = 0; // text probe
};

HeadRole classifyHead(const RoleScores& scores);
std::vector<HeadRole> classifyHeads(const std::vector<RoleScores>& scores);
// Largest induction score over the heads (0 for none).
double maxInductionScore(const std::vector<RoleScores>& scores);

// The scores of every head ([layer * heads + head]) at one step: the token-pattern scores from the induction
// probe's snapshot when there is one (the repeated random sequence they are defined on), otherwise from the
// text probe's; the rest from the text probe's. `induction` may be null. Empty when `text` lacks the scores
// (files written before they were recorded).
std::vector<RoleScores> roleScores(const ProbeSnapshot& text, const ProbeSnapshot* induction);

// Roles of every head over a run: roles[k][head] at steps[k].
struct RoleHistory {
    std::vector<int> steps;
    std::vector<std::vector<HeadRole>> roles;
    std::vector<std::vector<RoleScores>> scores;
    int layers = 0, heads = 0;
};

// The role history of a run's snapshots (those without scores are skipped).
RoleHistory roleHistory(const std::vector<SnapshotPtr>& snapshots);

// Role events ("layer 1 head 2 became an induction head at step 1150"). A head's role counts as changed once
// the new role holds at two snapshots in a row (a role that flickers for one snapshot raises nothing); the
// event carries the first of the two steps. Only births and losses of the circuit roles (induction,
// previous-token, duplicate-token, sink) are events; moves among local, diffuse and mixed are not.
class RoleTracker {
public:
    // Roles of every head at the next snapshot (steps ascending). Returns the events it confirms.
    std::vector<Event> add(int step, const std::vector<HeadRole>& roles, int heads);

private:
    std::vector<HeadRole> m_current, m_previous;
    int m_previousStep = 0;
};
bool isCircuitRole(HeadRole role);

// The events of a whole history, as RoleTracker raises them live.
std::vector<Event> roleChangeEvents(const RoleHistory& history);

// In-context-learning score at one evaluation (Olsson et al. 2022, §"In-context learning score").
struct IclPoint {
    int step = 0;
    double icl = 0;          // nats: loss late − loss early
    double inductionMax = 0; // largest induction score over heads at the latest snapshot ≤ step
};

// Phase-change detection (docs/metrics.md): the first evaluation k at which, over the last kPhaseWindow
// evaluations, the largest induction score rose by ≥ kPhaseInductionRise and the ICL score fell by
// ≥ kPhaseIclDrop nats, and the ICL score fell faster in an earlier interval of the window than in the newest
// one (the drop has passed its steepest point). The event is placed at the evaluation ending the interval
// with the largest ICL drop in that window. nullopt while none.
inline constexpr int kPhaseWindow = 5;
inline constexpr double kPhaseInductionRise = 0.15;
inline constexpr double kPhaseIclDrop = 0.15;
std::optional<Event> detectPhaseChange(const std::vector<IclPoint>& points);

// Name of the per-step scalar holding the ICL score (step_scalars), and the positions it compares.
inline constexpr const char* kIclScalar = "icl_score";
struct IclPositions {
    // 0-based indices of the predicted tokens (token p is predicted at query p − 1), inclusive bands.
    int earlyFirst, earlyLast, lateFirst, lateLast;
};
IclPositions iclPositions(int context);

// The ICL score of B sequences after a forward: mean over sequences of (mean loss over the late band − mean
// loss over the early band), the loss of token p being logZ[p−1] − logits[p−1][x_p] with x_p the actual next
// token (scored or not). `inputs` B×T, `logits` (B·T)×V, `logZ` B·T. Returns {sum over sequences, count}.
std::pair<double, int> iclSum(const std::int32_t* inputs, const float* logits, const float* logZ, int B,
                              int T, int V);

// The ICL points of a recorded run: `icl` (step, score) pairs from its step scalars, each with the largest
// induction score of the last snapshot at or before it.
std::vector<IclPoint> iclPoints(const std::vector<std::pair<int, double>>& icl,
                                const std::vector<SnapshotPtr>& snapshots);

// Roles, role events and the phase change of a recorded run, recomputed from its snapshots and ICL scalars
// (for files whose writer did not raise these events: the Python Recorder, imports, older files).
struct RunRoles {
    RoleHistory history;
    std::vector<Event> roleEvents;
    std::vector<IclPoint> icl;
    std::optional<Event> phaseChange;
};
RunRoles analyseRoles(const std::vector<SnapshotPtr>& snapshots, const std::vector<StepRecord>& steps);

} // namespace attnscope
