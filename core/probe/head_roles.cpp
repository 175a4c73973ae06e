#include "core/probe/head_roles.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

namespace attnscope {

namespace {

struct RoleName {
    HeadRole role;
    const char* name;
    const char* noun;
};
constexpr std::array<RoleName, kHeadRoleCount> kRoleNames{{
    {HeadRole::Induction, "induction", "an induction head"},
    {HeadRole::PreviousToken, "previous-token", "a previous-token head"},
    {HeadRole::DuplicateToken, "duplicate-token", "a duplicate-token head"},
    {HeadRole::Sink, "sink", "a sink head"},
    {HeadRole::Local, "local", "a local head"},
    {HeadRole::Diffuse, "diffuse", "a diffuse head"},
    {HeadRole::Mixed, "mixed", "a mixed head (no single role)"},
}};

const RoleName& entry(HeadRole role) {
    return kRoleNames[std::size_t(role)];
}

} // namespace

const char* toString(HeadRole role) {
    return entry(role).name;
}

const char* roleNoun(HeadRole role) {
    return entry(role).noun;
}

std::optional<HeadRole> parseHeadRole(const std::string& name) {
    for (const RoleName& r : kRoleNames)
        if (name == r.name) return r.role;
    return std::nullopt;
}

HeadRole classifyHead(const RoleScores& s) {
    using T = RoleThresholds;
    if (s.induction >= T::induction) return HeadRole::Induction;
    if (s.previousToken >= T::previousToken) return HeadRole::PreviousToken;
    if (s.duplicateToken >= T::duplicateToken) return HeadRole::DuplicateToken;
    if (s.sink > T::sink) return HeadRole::Sink;
    if (s.localMass >= T::local) return HeadRole::Local;
    if (s.normEntropy >= T::diffuse) return HeadRole::Diffuse;
    return HeadRole::Mixed;
}

std::vector<HeadRole> classifyHeads(const std::vector<RoleScores>& scores) {
    std::vector<HeadRole> roles;
    roles.reserve(scores.size());
    for (const RoleScores& s : scores) roles.push_back(classifyHead(s));
    return roles;
}

double maxInductionScore(const std::vector<RoleScores>& scores) {
    double best = 0;
    for (const RoleScores& s : scores) best = std::max(best, double(s.induction));
    return best;
}

RoleHistory roleHistory(const std::vector<SnapshotPtr>& snapshots) {
    RoleHistory h;
    for (const SnapshotPtr& s : snapshots) {
        if (!s) continue;
        std::vector<RoleScores> scores = roleScores(*s, s->induction.get());
        if (scores.empty()) continue;
        if (h.steps.empty()) h.layers = s->layers, h.heads = s->heads;
        if (s->layers != h.layers || s->heads != h.heads) continue;
        h.steps.push_back(s->step);
        h.roles.push_back(classifyHeads(scores));
        h.scores.push_back(std::move(scores));
    }
    return h;
}

std::vector<RoleScores> roleScores(const ProbeSnapshot& text, const ProbeSnapshot* induction) {
    const std::size_t n = std::size_t(text.layers) * std::size_t(text.heads);
    const bool hasText = text.previousToken.size() == n && text.localMass.size() == n &&
                         text.sinkScore.size() == n && text.normEntropy.size() == n &&
                         text.meanDistance.size() == n;
    if (!hasText) return {};
    const ProbeSnapshot& patterns = induction && induction->layers == text.layers &&
                                            induction->heads == text.heads &&
                                            induction->inductionScore.size() == n
                                        ? *induction
                                        : text;
    std::vector<RoleScores> out(n);
    for (std::size_t k = 0; k < n; ++k) {
        RoleScores& r = out[k];
        r.previousToken = patterns.previousToken[k];
        r.duplicateToken = patterns.duplicateToken[k];
        r.induction = patterns.inductionScore[k];
        r.sink = text.sinkScore[k];
        r.localMass = text.localMass[k];
        r.meanDistance = text.meanDistance[k];
        r.normEntropy = text.normEntropy[k];
    }
    return out;
}

bool isCircuitRole(HeadRole role) {
    return role == HeadRole::Induction || role == HeadRole::PreviousToken ||
           role == HeadRole::DuplicateToken || role == HeadRole::Sink;
}

std::vector<Event> RoleTracker::add(int step, const std::vector<HeadRole>& roles, int heads) {
    std::vector<Event> events;
    if (m_current.empty() || m_current.size() != roles.size()) {
        m_current = m_previous = roles;
        m_previousStep = step;
        return events;
    }
    for (std::size_t k = 0; k < roles.size(); ++k) {
        const HeadRole candidate = m_previous[k], was = m_current[k];
        if (candidate == was || roles[k] != candidate) continue;
        m_current[k] = candidate;
        if (!isCircuitRole(candidate) && !isCircuitRole(was)) continue;
        const std::string head =
            "layer " + std::to_string(int(k) / heads) + " head " + std::to_string(int(k) % heads);
        const std::string at = " at step " + std::to_string(m_previousStep);
        const std::string message = isCircuitRole(candidate) ? head + " became " + roleNoun(candidate) + at
                                                             : head + " stopped being " + roleNoun(was) + at +
                                                                   " (now " + toString(candidate) + ")";
        events.emplace_back(m_previousStep, EventKind::RoleChange, message);
    }
    m_previous = roles;
    m_previousStep = step;
    return events;
}

std::vector<Event> roleChangeEvents(const RoleHistory& h) {
    RoleTracker tracker;
    std::vector<Event> events;
    for (std::size_t k = 0; k < h.steps.size(); ++k) {
        auto more = tracker.add(h.steps[k], h.roles[k], h.heads);
        events.insert(events.end(), more.begin(), more.end());
    }
    return events;
}

std::optional<Event> detectPhaseChange(const std::vector<IclPoint>& p) {
    for (std::size_t k = kPhaseWindow; k < p.size(); ++k) {
        const std::size_t from = k - kPhaseWindow;
        const double rise = p[k].inductionMax - p[from].inductionMax;
        const double drop = p[from].icl - p[k].icl;
        if (!(rise >= kPhaseInductionRise && drop >= kPhaseIclDrop)) continue;
        std::size_t sharpest = from + 1;
        for (std::size_t j = from + 1; j <= k; ++j)
            if (p[j - 1].icl - p[j].icl > p[sharpest - 1].icl - p[sharpest].icl) sharpest = j;
        if (sharpest == k) continue; // still falling fastest at the newest evaluation: wait for the next one
        char message[200];
        std::snprintf(message, sizeof message,
                      "phase change: induction score %.2f → %.2f and in-context-learning score %.2f → %.2f "
                      "nats between steps %d and %d",
                      p[from].inductionMax, p[k].inductionMax, p[from].icl, p[k].icl, p[from].step,
                      p[k].step);
        return Event{p[sharpest].step, EventKind::PhaseChange, message};
    }
    return std::nullopt;
}

std::pair<double, int> iclSum(const std::int32_t* inputs, const float* logits, const float* logZ, int B,
                              int T, int V) {
    const IclPositions p = iclPositions(T);
    if (T < 4 || p.lateFirst <= p.earlyLast) return {0.0, 0};
    const auto bandLoss = [&](int b, int first, int last) {
        double sum = 0;
        for (int token = first; token <= last; ++token) {
            const std::size_t row = std::size_t(b) * T + std::size_t(token - 1);
            const std::int32_t next = inputs[std::size_t(b) * T + std::size_t(token)];
            sum += double(logZ[row]) - double(logits[row * std::size_t(V) + std::size_t(next)]);
        }
        return sum / (last - first + 1);
    };
    double total = 0;
    for (int b = 0; b < B; ++b)
        total += bandLoss(b, p.lateFirst, p.lateLast) - bandLoss(b, p.earlyFirst, p.earlyLast);
    return {total, B};
}

std::vector<IclPoint> iclPoints(const std::vector<std::pair<int, double>>& icl,
                                const std::vector<SnapshotPtr>& snapshots) {
    std::vector<IclPoint> points;
    for (const auto& [step, value] : icl) {
        const int at = snapshotIndexAt(snapshots, step);
        if (at < 0 || snapshots[std::size_t(at)]->step > step || !std::isfinite(value)) continue;
        const SnapshotPtr& s = snapshots[std::size_t(at)];
        const std::vector<RoleScores> scores = roleScores(*s, s->induction.get());
        if (scores.empty()) continue;
        points.push_back({step, value, maxInductionScore(scores)});
    }
    return points;
}

RunRoles analyseRoles(const std::vector<SnapshotPtr>& snapshots, const std::vector<StepRecord>& steps) {
    RunRoles r;
    r.history = roleHistory(snapshots);
    r.roleEvents = roleChangeEvents(r.history);
    std::vector<std::pair<int, double>> icl;
    for (const StepRecord& step : steps)
        for (const auto& [name, value] : step.scalars)
            if (name == kIclScalar) icl.emplace_back(step.step, value);
    r.icl = iclPoints(icl, snapshots);
    r.phaseChange = detectPhaseChange(r.icl);
    return r;
}

IclPositions iclPositions(int T) {
    // Olsson et al. compare the 500th and the 50th token of 512-token contexts; the same fractions of this
    // context, each a band of ±10/512 of it (at least ±1 token) so that small evaluations are less noisy.
    const auto at = [T](int of512) { return int(std::lround(double(T) * of512 / 512.0)); };
    const int band = std::max(1, at(10));
    const int early = at(50) - 1, late = at(500) - 1;
    IclPositions p;
    p.earlyFirst = std::max(1, early - band);
    p.earlyLast = std::max(p.earlyFirst, early + band);
    p.lateLast = std::min(T - 1, late + band);
    p.lateFirst = std::min(p.lateLast, std::max(p.earlyLast + 1, late - band));
    return p;
}

} // namespace attnscope
