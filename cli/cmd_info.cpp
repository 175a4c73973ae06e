// attnscope-cli info: a summary of one run file; cheap enough to call on a run that is still training.
#include "cli/common.h"
#include "core/run/run_summary.h"
#include "core/store/run_reader.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

namespace attnscope::cli {

namespace {

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
    std::string s;
    for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? separator : "") + parts[i];
    return s;
}

std::uint64_t fileSize(const std::string& path) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path, ec);
    return ec ? 0 : std::uint64_t(n);
}

// What `info` reports, read once; the text and the JSON forms print the same facts.
struct InfoFacts {
    std::string path;
    RunHeader header;
    RunSpec spec;
    std::vector<StepRecord> steps;
    std::vector<int> snapshots, checkpoints;
    std::vector<Event> events;
    std::size_t evalCount = 0;
    StatusRecord status;
    std::optional<int> totalSteps;
    RunSummary reached;
    bool interrupted = false;
    std::string statusName;
    int statusStep = 0;
    std::uint64_t size = 0, walSize = 0;
    std::vector<std::string> badges;
    ModelDescription described;
    std::optional<ExternalRunFacts> external; // set for a run recorded outside the engine
    bool paramsKnown = false;
    std::uint64_t params = 0;
    int schemaVersion = 0;
};

InfoFacts gatherInfo(const std::string& path) {
    const RunReader reader(path);
    InfoFacts f;
    f.path = path;
    f.header = reader.header();
    f.spec = headerSpec(reader);
    f.steps = reader.steps();
    f.snapshots = reader.snapshotSteps();
    f.checkpoints = reader.checkpointSteps();
    f.events = reader.events();
    f.evalCount = reader.evals().size();
    f.status = reader.status();
    f.external = reader.external();
    f.schemaVersion = reader.schemaVersion();

    // A resumed run may have been extended with --steps; its latest checkpoint holds the current total. A run
    // recorded outside the engine has a total only when its recorder gave one.
    f.totalSteps = plannedSteps(f.spec, f.external);
    if (!f.checkpoints.empty() && !f.external) {
        try {
            f.totalSteps = checkpointSpec(reader.checkpoint(f.checkpoints.back())).train.steps;
        } catch (const Error&) {
            // A damaged checkpoint does not stop the summary; the header's total stands.
        }
    }
    // Snapshots are not decoded: info stays fast on a large run or one still being written.
    f.reached.setSteps(f.steps);
    f.reached.setEvents(f.events);
    // A file that still says it is training (or being created, or paused) while no writer holds its lock
    // was left by a writer that was killed or crashed.
    f.interrupted = (f.status.status == RunStatus::Training || f.status.status == RunStatus::Paused ||
                     f.status.status == RunStatus::Created) &&
                    !reader.hasLiveWriter();
    f.statusName = f.interrupted ? "interrupted" : f.status.statusName();
    f.statusStep = f.interrupted ? f.reached.lastStep : f.status.step;
    f.size = fileSize(path);
    f.walSize = fileSize(path + "-wal");
    f.badges = runBadges(f.spec, f.external);
    f.described = reader.model();
    // The engine's parameter count comes from its own layout; a recorded model's is what its recorder
    // counted.
    f.paramsKnown = !f.external || f.described.parameters.has_value();
    f.params = !f.external     ? parameterCount(f.spec.model)
               : f.paramsKnown ? std::uint64_t(*f.described.parameters)
                               : 0;
    return f;
}

nlohmann::json numberOrNull(double v) {
    return std::isnan(v) ? nlohmann::json() : nlohmann::json(v);
}

void printInfoJson(const InfoFacts& f) {
    nlohmann::json modelJson = toJson(f.described);
    modelJson["parameters"] = f.paramsKnown ? nlohmann::json(f.params) : nlohmann::json();
    const nlohmann::json j{{"path", f.path},
                           {"name", f.spec.name},
                           {"preset", f.spec.preset},
                           {"description", f.header.description},
                           {"mechanisms", f.badges},
                           {"model", modelJson},
                           {"data", {{"name", f.header.corpusName}, {"hash", f.header.corpusHash}}},
                           {"steps_done", f.reached.lastStep},
                           {"steps_total", f.totalSteps ? nlohmann::json(*f.totalSteps) : nlohmann::json()},
                           {"status", f.statusName},
                           {"status_step", f.statusStep},
                           {"recorded_status", f.status.statusName()},
                           {"status_message", f.status.message},
                           {"final_loss", numberOrNull(f.reached.finalLoss)},
                           {"final_ce_loss", numberOrNull(f.reached.finalCeLoss)},
                           {"final_val_loss", numberOrNull(f.reached.finalValLoss)},
                           {"events", f.reached.eventKinds},
                           {"snapshots", f.snapshots.size()},
                           {"checkpoints", f.checkpoints},
                           {"evals", f.evalCount},
                           {"file_bytes", f.size + f.walSize},
                           {"schema_version", f.schemaVersion},
                           {"app_version", f.header.appVersion},
                           {"created_at", f.header.createdAt}};
    std::printf("%s\n", j.dump(2).c_str());
}

void row(const char* key, const std::string& value) {
    std::printf("%-12s %s\n", key, value.c_str());
}

std::string shown(const std::optional<int>& v) {
    return v ? std::to_string(*v) : std::string(kUnknownValue);
}

std::string modelText(const InfoFacts& f) {
    const ModelDescription& d = f.described;
    std::string heads = shown(d.heads) + " heads";
    if (d.kvHeads && d.heads && *d.kvHeads != *d.heads)
        heads += " (" + std::to_string(*d.kvHeads) + " key/value)";
    return shown(d.layers) + " layers × " + heads + ", head dim " + shown(d.headDim) + ", d_model " +
           shown(d.dModel) + ", context " + shown(d.context) + ", vocab " + shown(d.vocab) + " — " +
           (f.paramsKnown ? withThousands(f.params) : kUnknownValue) + " parameters";
}

std::string statusText(const InfoFacts& f) {
    std::string text = f.statusName;
    if (f.interrupted || f.status.status != RunStatus::Created)
        text += " at step " + std::to_string(f.statusStep);
    if (f.interrupted)
        text +=
            std::string(" — its writer stopped without closing it (killed or crashed)") +
            (f.checkpoints.empty() ? "" : "; attnscope-cli resume continues it from its latest checkpoint");
    else if (!f.status.message.empty() && f.status.message != text) // older files repeat the status
        text += " — " + f.status.message;
    if (!f.interrupted && !f.status.at.empty()) text += " (" + f.status.at + ")";
    return text;
}

std::string lossText(const InfoFacts& f) {
    const RunSummary& r = f.reached;
    if (f.steps.empty()) return "—";
    return roundedNumber(r.finalLoss, 5) + " (step " + std::to_string(r.lastStep) + "; cross-entropy " +
           roundedNumber(r.finalCeLoss, 5) + "), val " +
           (r.finalValStep
                ? roundedNumber(r.finalValLoss, 5) + " (step " + std::to_string(r.finalValStep) + ")"
                : "—");
}

void printInfoText(const InfoFacts& f) {
    row("run", f.path);
    row("name", f.spec.name);
    if (!f.spec.preset.empty()) row("preset", f.spec.preset);
    if (!f.header.description.empty()) row("description", f.header.description);
    row("mechanisms", joined(f.badges, ", "));
    row("model", modelText(f));
    if (f.external) {
        for (const auto& [key, value] : f.described.displayRows())
            if (key == "family" || key == "position" || key == "norm" || key == "weights" || key == "model")
                row(("  " + key).c_str(), value);
    }
    row("data", f.header.corpusName + " (hash " + f.header.corpusHash + ")");
    row("steps",
        std::to_string(f.reached.lastStep) + (f.totalSteps ? " / " + std::to_string(*f.totalSteps) : ""));
    row("status", statusText(f));
    row("loss", lossText(f));
    std::vector<std::string> kindCounts;
    for (const auto& [kind, count] : f.reached.eventKinds)
        kindCounts.push_back(kind + " " + std::to_string(count));
    row("events",
        std::to_string(f.events.size()) + (kindCounts.empty() ? "" : " (" + joined(kindCounts, ", ") + ")"));
    row("snapshots", std::to_string(f.snapshots.size()) +
                         (f.snapshots.empty() ? ""
                                              : " (steps " + std::to_string(f.snapshots.front()) + "–" +
                                                    std::to_string(f.snapshots.back()) + ")"));
    std::vector<std::string> checkpointList;
    for (int s : f.checkpoints) checkpointList.push_back(std::to_string(s));
    row("checkpoints", f.checkpoints.empty() ? "none" : "steps " + joined(checkpointList, ", "));
    row("evals", std::to_string(f.evalCount));
    row("file", humanBytes(f.size) + (f.walSize ? " (+ " + humanBytes(f.walSize) + " write-ahead log)" : "") +
                    ", schema " + std::to_string(f.schemaVersion) + ", created " + f.header.createdAt +
                    " by AttnScope " + f.header.appVersion);
}

int runInfo(const Args& args) {
    const InfoFacts facts = gatherInfo(args.positionals().at(0));
    if (args.has("json"))
        printInfoJson(facts);
    else
        printInfoText(facts);
    return 0;
}

} // namespace

const Command& infoCommand() {
    static const Command command{{"info",
                                  "summarise a run file (works while it is still being written)",
                                  "attnscope-cli info RUN [--json]",
                                  "Prints the run's name, preset, mechanisms, model size, data, progress, "
                                  "status, final losses, event\n"
                                  "counts by kind, snapshots, checkpoints and file size. Opening does not "
                                  "scan the file, so it is fast\n"
                                  "and safe on a run another process is still training.",
                                  1,
                                  1,
                                  {{"json", "", "machine-readable output"}},
                                  "  attnscope-cli info runs/baseline.attnrun\n"},
                                 runInfo};
    return command;
}

} // namespace attnscope::cli
