// attnscope-cli info: a summary of one run file; cheap enough to call on a run that is still training.
#include "cli/common.h"
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

    // A resumed run may have been extended with --steps; its latest checkpoint holds the current total.
    int totalSteps = spec.train.steps;
    if (!checkpoints.empty()) {
        try {
            totalSteps = checkpointSpec(reader.checkpoint(checkpoints.back())).train.steps;
        } catch (const Error&) {
            // A damaged checkpoint does not stop the summary; the header's total stands.
        }
    }
    const int doneSteps = steps.empty() ? 0 : steps.back().step;
    double finalLoss = kNotEvaluated, finalCeLoss = kNotEvaluated, finalValLoss = kNotEvaluated;
    int valStep = 0;
    if (!steps.empty()) finalLoss = steps.back().loss, finalCeLoss = steps.back().ceLoss;
    for (auto it = steps.rbegin(); it != steps.rend(); ++it)
        if (!std::isnan(it->valLoss)) {
            finalValLoss = it->valLoss, valStep = it->step;
            break;
        }
    std::map<std::string, int> eventKinds;
    for (const Event& e : events) ++eventKinds[e.kindName()];
    std::vector<std::string> kindCounts;
    for (const auto& [kind, count] : eventKinds) kindCounts.push_back(kind + " " + std::to_string(count));
    std::vector<std::string> checkpointList;
    for (int s : checkpoints) checkpointList.push_back(std::to_string(s));
    const std::uint64_t size = fileSize(path), walSize = fileSize(path + "-wal");
    const std::vector<std::string> badges = spec.model.mechanismBadges();
    const ModelConfig& m = spec.model;
    const std::uint64_t params = parameterCount(m);

    if (args.has("json")) {
        nlohmann::json j{
            {"path", path},
            {"name", spec.name},
            {"preset", spec.preset},
            {"description", header.description},
            {"mechanisms", badges},
            {"model",
             {{"layers", m.layers},
              {"heads", m.heads},
              {"d_model", m.dModel},
              {"context", m.context},
              {"vocab", m.vocab},
              {"parameters", params}}},
            {"data", {{"name", header.corpusName}, {"hash", header.corpusHash}}},
            {"steps_done", doneSteps},
            {"steps_total", totalSteps},
            {"status", status.statusName()},
            {"status_step", status.step},
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
    row("model", std::to_string(m.layers) + " layers × " + std::to_string(m.heads) + " heads, d_model " +
                     std::to_string(m.dModel) + ", context " + std::to_string(m.context) + ", vocab " +
                     std::to_string(m.vocab) + " — " + withThousands(params) + " parameters");
    row("data", header.corpusName + " (hash " + header.corpusHash + ")");
    row("steps", std::to_string(doneSteps) + " / " + std::to_string(totalSteps));
    std::string statusText = status.statusName();
    if (status.status != RunStatus::Created) statusText += " at step " + std::to_string(status.step);
    // Files written before the trainer stated the reason repeat the status as its message.
    if (!status.message.empty() && status.message != statusText) statusText += " — " + status.message;
    if (!status.at.empty()) statusText += " (" + status.at + ")";
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
