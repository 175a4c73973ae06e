#include "core/probe/snapshot.h"

#include <algorithm>

#include <array>
#include <utility>

namespace attnscope {

namespace {

// One table per enum keeps toString and parse from drifting apart. The names are stored in run files,
// so they must never change once released.
constexpr std::array<std::pair<EventKind, const char*>, 8> kEventKindNames{{
    {EventKind::NonFinite, "nonfinite"},
    {EventKind::LossSpike, "loss_spike"},
    {EventKind::EntropyCollapse, "entropy_collapse"},
    {EventKind::LogitExplosion, "logit_explosion"},
    {EventKind::Diverged, "diverged"},
    {EventKind::Note, "note"},
    {EventKind::RoleChange, "role_change"},
    {EventKind::PhaseChange, "phase_change"},
}};

constexpr std::array<std::pair<RunStatus, const char*>, 7> kRunStatusNames{{
    {RunStatus::Created, "created"},
    {RunStatus::Training, "training"},
    {RunStatus::Paused, "paused"},
    {RunStatus::Finished, "finished"},
    {RunStatus::Stopped, "stopped"},
    {RunStatus::Diverged, "diverged"},
    {RunStatus::Failed, "failed"},
}};

template <typename Enum, std::size_t N>
const char* nameOf(const std::array<std::pair<Enum, const char*>, N>& table, Enum value) {
    for (const auto& [v, name] : table)
        if (v == value) return name;
    return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, const char*>, N>& table, std::string_view name) {
    for (const auto& [v, n] : table)
        if (name == n) return v;
    return std::nullopt;
}

} // namespace

const char* toString(EventKind k) {
    return nameOf(kEventKindNames, k);
}
std::optional<EventKind> parseEventKind(std::string_view name) {
    return valueOf(kEventKindNames, name);
}

const char* toString(RunStatus s) {
    return nameOf(kRunStatusNames, s);
}
std::optional<RunStatus> parseRunStatus(std::string_view name) {
    return valueOf(kRunStatusNames, name);
}

int snapshotIndexAt(const std::vector<SnapshotPtr>& snapshots, int step) {
    if (snapshots.empty()) return -1;
    const auto it = std::upper_bound(snapshots.begin(), snapshots.end(), step,
                                     [](int s, const SnapshotPtr& p) { return s < p->step; });
    return it == snapshots.begin() ? 0 : int(it - snapshots.begin()) - 1;
}

} // namespace attnscope
