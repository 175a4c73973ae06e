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

int runInfo(const Args& args) {
    const std::string path = args.positionals().at(0);
    const RunReader reader(path);
    const RunHeader& header = reader.header();
    const RunSpec spec = headerSpec(reader);
    const std::vector<StepRecord> steps = reader.steps();
    const std::vector<int> snapshots = reader.snapshotSteps();
    const std::vector<int> checkpoints = reader.checkpointSteps();
    const std::vector<Event> events = reader.events();
    const std::vector<EvalRecord> evals = reader.evals();
    const StatusRecord status = reader.status();

    // A resumed run may have been extended with --steps; its latest checkpoint holds the current total. A run
    // recorded outside the engine has a total only when its recorder gave one.
    std::optional<int> totalSteps = plannedSteps(spec, reader.external());
    if (!checkpoints.empty() && !reader.external()) {
        try {
            totalSteps = checkpointSpec(reader.checkpoint(checkpoints.back())).train.steps;
        } catch (const Error&) {
            // A damaged checkpoint does not stop the summary; the header's total stands.
        }
    }
    // Snapshots are not decoded: info stays fast on a large run or one still being written.
    RunSummary reached;
    reached.setSteps(steps);
    reached.setEvents(events);
    const int doneSteps = reached.lastStep;
    const double finalLoss = reached.finalLoss, finalCeLoss = reached.finalCeLoss;
    const double finalValLoss = reached.finalValLoss;
    const int valStep = reached.finalValStep;
    const std::map<std::string, int>& eventKinds = reached.eventKinds;
    // A file that still says it is training (or being created, or paused) while no writer holds its lock
    // was left by a writer that was killed or crashed.
    const bool interrupted = (status.status == RunStatus::Training || status.status == RunStatus::Paused ||
                              status.status == RunStatus::Created) &&
                             !reader.hasLiveWriter();
    const std::string statusName = interrupted ? "interrupted" : status.statusName();
    const int statusStep = interrupted ? doneSteps : status.step;
    std::vector<std::string> kindCounts;
    for (const auto& [kind, count] : eventKinds) kindCounts.push_back(kind + " " + std::to_string(count));
    std::vector<std::string> checkpointList;
    for (int s : checkpoints) checkpointList.push_back(std::to_string(s));
    const std::uint64_t size = fileSize(path), walSize = fileSize(path + "-wal");
    const std::vector<std::string> badges = runBadges(spec, reader.external());
    const ModelConfig& m = spec.model;
    const ModelDescription described = reader.model();
    // The engine's parameter count comes from its own layout; a recorded model's is what its recorder
    // counted.
    const bool paramsKnown = !reader.external() || described.parameters.has_value();
    const std::uint64_t params = !reader.external() ? parameterCount(m)
                                 : paramsKnown      ? std::uint64_t(*described.parameters)
                                                    : 0;
    nlohmann::json modelJson = toJson(described);
    modelJson["parameters"] = paramsKnown ? nlohmann::json(params) : nlohmann::json();
    const auto shown = [](const std::optional<int>& v) {
        return v ? std::to_string(*v) : std::string(kUnknownValue);
    };

    if (args.has("json")) {
        nlohmann::json j{
            {"path", path},
            {"name", spec.name},
            {"preset", spec.preset},
            {"description", header.description},
            {"mechanisms", badges},
            {"model", modelJson},
            {"data", {{"name", header.corpusName}, {"hash", header.corpusHash}}},
            {"steps_done", doneSteps},
            {"steps_total", totalSteps ? nlohmann::json(*totalSteps) : nlohmann::json()},
            {"status", statusName},
            {"status_step", statusStep},
            {"recorded_status", status.statusName()},
            {"status_message", status.message},
            {"final_loss", std::isnan(finalLoss) ? nlohmann::json() : nlohmann::json(finalLoss)},
            {"final_ce_loss", std::isnan(finalCeLoss) ? nlohmann::json() : nlohmann::json(finalCeLoss)},
            {"final_val_loss", std::isnan(finalValLoss) ? nlohmann::json() : nlohmann::json(finalValLoss)},
            {"events", eventKinds},
            {"snapshots", snapshots.size()},
            {"checkpoints", checkpoints},
            {"evals", evals.size()},
            {"file_bytes", size + walSize},
            {"schema_version", reader.schemaVersion()},
            {"app_version", header.appVersion},
            {"created_at", header.createdAt}};
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    auto row = [](const char* key, const std::string& value) {
        std::printf("%-12s %s\n", key, value.c_str());
    };
    row("run", path);
    row("name", spec.name);
    if (!spec.preset.empty()) row("preset", spec.preset);
    if (!header.description.empty()) row("description", header.description);
    row("mechanisms", joined(badges, ", "));
    std::string heads = shown(described.heads) + " heads";
    if (described.kvHeads && described.heads && *described.kvHeads != *described.heads)
        heads += " (" + std::to_string(*described.kvHeads) + " key/value)";
    row("model", shown(described.layers) + " layers × " + heads + ", head dim " + shown(described.headDim) +
                     ", d_model " + shown(described.dModel) + ", context " + shown(described.context) +
                     ", vocab " + shown(described.vocab) + " — " +
                     (paramsKnown ? withThousands(params) : kUnknownValue) + " parameters");
    if (reader.external()) {
        for (const auto& [key, value] : described.displayRows())
            if (key == "family" || key == "position" || key == "norm" || key == "weights" ||
                key == "model")
                row(("  " + key).c_str(), value);
    }
    row("data", header.corpusName + " (hash " + header.corpusHash + ")");
    row("steps", std::to_string(doneSteps) + (totalSteps ? " / " + std::to_string(*totalSteps) : ""));
    std::string statusText = statusName;
    if (interrupted || status.status != RunStatus::Created)
        statusText += " at step " + std::to_string(statusStep);
    if (interrupted)
        statusText +=
            std::string(" — its writer stopped without closing it (killed or crashed)") +
            (checkpoints.empty() ? "" : "; attnscope-cli resume continues it from its latest checkpoint");
    else if (!status.message.empty())
        statusText += " — " + status.message;
    if (!interrupted && !status.at.empty()) statusText += " (" + status.at + ")";
    row("status", statusText);
    row("loss", steps.empty() ? "—"
                              : roundedNumber(finalLoss, 5) + " (step " + std::to_string(doneSteps) +
                                    "; cross-entropy " + roundedNumber(finalCeLoss, 5) + "), val " +
                                    (valStep ? roundedNumber(finalValLoss, 5) + " (step " +
                                                   std::to_string(valStep) + ")"
                                             : "—"));
    row("events",
        std::to_string(events.size()) + (kindCounts.empty() ? "" : " (" + joined(kindCounts, ", ") + ")"));
    row("snapshots", std::to_string(snapshots.size()) +
                         (snapshots.empty() ? ""
                                            : " (steps " + std::to_string(snapshots.front()) + "–" +
                                                  std::to_string(snapshots.back()) + ")"));
    row("checkpoints", checkpoints.empty() ? "none" : "steps " + joined(checkpointList, ", "));
    row("evals", std::to_string(evals.size()));
    row("file", humanBytes(size) + (walSize ? " (+ " + humanBytes(walSize) + " write-ahead log)" : "") +
                    ", schema " + std::to_string(reader.schemaVersion()) + ", created " + header.createdAt +
                    " by AttnScope " + header.appVersion);
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
