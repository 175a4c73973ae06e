// attnscope-cli heads: every head's role and scores at one snapshot (docs/metrics.md, "Head scores and
// roles"), then the run's role changes and its phase change.
#include "cli/common.h"
#include "core/probe/head_roles.h"
#include "core/probe/head_scores.h"
#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace attnscope::cli {

namespace {

// The file's own role and phase events when its writer raised them (the engine), otherwise recomputed.
std::vector<Event> roleEvents(const RunReader& reader, const std::vector<SnapshotPtr>& snapshots) {
    std::vector<Event> stored;
    for (const Event& e : reader.events())
        if (e.kind == EventKind::RoleChange || e.kind == EventKind::PhaseChange) stored.push_back(e);
    if (!stored.empty()) return stored;
    const RunRoles roles = analyseRoles(snapshots, reader.steps());
    std::vector<Event> events = roles.roleEvents;
    if (roles.phaseChange) events.push_back(*roles.phaseChange);
    std::stable_sort(events.begin(), events.end(),
                     [](const Event& a, const Event& b) { return a.step < b.step; });
    return events;
}

int runHeads(const Args& args) {
    const std::string path = args.positionals().at(0);
    const RunReader reader(path);
    const std::vector<int> steps = reader.snapshotSteps();
    if (steps.empty()) throw Error(path + " has no probe snapshots yet.");
    int step = steps.back();
    if (auto wanted = args.integer("step", 0, 1 << 30)) {
        step = steps.front();
        for (int s : steps)
            if (s <= *wanted) step = s;
    }
    std::vector<SnapshotPtr> snapshots;
    for (int s : steps)
        if (SnapshotPtr snap = reader.snapshot(s)) snapshots.push_back(snap);
    const SnapshotPtr& snap = snapshots[std::size_t(snapshotIndexAt(snapshots, step))];
    const std::vector<RoleScores> scores = roleScores(*snap, snap->induction.get());
    if (scores.empty())
        throw Error(path + " records no head scores (it was written before AttnScope recorded them).");
    const std::vector<HeadRole> roles = classifyHeads(scores);
    const std::vector<Event> events = roleEvents(reader, snapshots);
    const ProbeSnapshot* induction = snap->induction.get();

    if (args.has("json")) {
        nlohmann::json heads = nlohmann::json::array();
        for (std::size_t k = 0; k < scores.size(); ++k) {
            const RoleScores& r = scores[k];
            heads.push_back({{"layer", int(k) / snap->heads},
                             {"head", int(k) % snap->heads},
                             {"role", toString(roles[k])},
                             {"previous_token", r.previousToken},
                             {"duplicate_token", r.duplicateToken},
                             {"induction", r.induction},
                             {"sink", r.sink},
                             {"local_mass", r.localMass},
                             {"mean_distance", r.meanDistance},
                             {"norm_entropy", r.normEntropy}});
        }
        nlohmann::json ev = nlohmann::json::array();
        for (const Event& e : events)
            ev.push_back({{"step", e.step}, {"kind", e.kindName()}, {"message", e.message}});
        const nlohmann::json out{{"step", snap->step},
                                 {"induction_probe_length", induction ? induction->length : 0},
                                 {"heads", heads},
                                 {"events", ev}};
        std::printf("%s\n", out.dump(1).c_str());
        return 0;
    }
    std::printf("%s, step %d: head roles (docs/metrics.md, \"Head scores and roles\")\n", path.c_str(),
                snap->step);
    std::printf("token-pattern scores on %s\n",
                induction ? ("the induction probe (" + std::to_string(induction->length) + " tokens)").c_str()
                          : "the text probe (this run records no induction probe)");
    std::printf("\n%s %s %s %s %s %s %s %s %s %s\n", pad("layer", 5).c_str(), pad("head", 4).c_str(),
                pad("role", -15).c_str(), pad("prev", 6).c_str(), pad("dup", 6).c_str(),
                pad("induct", 6).c_str(), pad("sink", 6).c_str(), pad("local", 6).c_str(),
                pad("dist", 6).c_str(), pad("H/ln n", 6).c_str());
    const auto num = [](float v) { return pad(roundedNumber(v, 2), 6); };
    for (std::size_t k = 0; k < scores.size(); ++k) {
        const RoleScores& r = scores[k];
        std::printf("%s %s %s %s %s %s %s %s %s %s\n", pad(std::to_string(int(k) / snap->heads), 5).c_str(),
                    pad(std::to_string(int(k) % snap->heads), 4).c_str(),
                    pad(toString(roles[k]), -15).c_str(), num(r.previousToken).c_str(),
                    num(r.duplicateToken).c_str(), num(r.induction).c_str(), num(r.sink).c_str(),
                    num(r.localMass).c_str(), num(r.meanDistance).c_str(), num(r.normEntropy).c_str());
    }
    std::printf("\n");
    if (events.empty()) std::printf("no role changes and no phase change recorded\n");
    for (const Event& e : events) std::printf("step %d  %s\n", e.step, e.message.c_str());
    return 0;
}

} // namespace

const Command& headsCommand() {
    static const Command command{
        {"heads",
         "print every head's role and scores at a step, and the run's role changes",
         "attnscope-cli heads RUN [--step N] [--json]",
         "Prints, for the snapshot at or before --step (default: the last), every head's role\n"
         "(induction, previous-token, duplicate-token, sink, local, diffuse, mixed) and the scores it\n"
         "is decided on: previous-token, duplicate-token and induction scores (on the induction probe\n"
         "when the run records one), first-token (sink) score, local mass within " +
             std::to_string(kLocalWindow) +
             " keys, mean distance\n"
             "and normalised entropy. Then the run's role changes and its phase change. docs/metrics.md\n"
             "defines the scores and the thresholds.",
         1,
         1,
         {{"step", "N", "the snapshot at or before step N (default: the last)"},
          {"json", "", "machine-readable output"}},
         "  attnscope-cli heads runs/induction.attnrun\n"
         "  attnscope-cli heads runs/induction.attnrun --step 0\n"},
        runHeads};
    return command;
}

} // namespace attnscope::cli
