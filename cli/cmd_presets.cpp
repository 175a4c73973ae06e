// attnscope-cli presets: the named starting points, grouped by the experiment they belong to.
#include "cli/common.h"
#include "core/train/presets.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace attnscope::cli {

namespace {

int runPresets(const Args& args) {
    if (args.has("json")) {
        nlohmann::json all = nlohmann::json::array();
        for (const Preset& p : presets())
            all.push_back({{"id", p.id},
                           {"description", p.description},
                           {"experiment", p.experiment},
                           {"spec", toJson(p.spec)}});
        std::printf("%s\n", all.dump(2).c_str());
        return 0;
    }
    std::size_t width = 0;
    std::vector<std::string> groups; // in the order presets() lists them
    for (const Preset& p : presets()) {
        width = std::max(width, p.id.size());
        if (std::find(groups.begin(), groups.end(), p.experiment) == groups.end())
            groups.push_back(p.experiment);
    }
    for (const std::string& group : groups) {
        std::printf("%s\n", group.empty() ? "Mechanisms (one preset per mechanism)"
                                          : ("Experiment: " + group).c_str());
        for (const Preset& p : presets()) {
            if (p.experiment != group) continue;
            const std::string marker = p.id == defaultPresetId() ? " (default)" : "";
            std::printf("  %-*s  %s%s\n", int(width), p.id.c_str(), p.description.c_str(), marker.c_str());
        }
        std::printf("\n");
    }
    std::printf("Train one with: attnscope-cli train --preset ID [--steps N ...]\n");
    return 0;
}

} // namespace

const Command& presetsCommand() {
    static const Command command{
        {"presets",
         "list the presets, grouped by experiment",
         "attnscope-cli presets [--json]",
         "Lists every preset with a one-line description. Paired experiments (same settings\n"
         "but one mechanism) are grouped; train both members and compare their runs.",
         0,
         0,
         {{"json", "", "print the presets and their full configurations as JSON"}},
         "  attnscope-cli presets\n"
         "  attnscope-cli train --preset exp-entropy-collapse/sigma-reparam\n"},
        runPresets};
    return command;
}

} // namespace attnscope::cli
