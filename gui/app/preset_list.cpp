#include "gui/app/preset_list.h"

#include "core/train/presets.h"

#include <algorithm>

namespace attnscope::gui {

std::vector<PresetEntry> presetEntries() {
    std::vector<PresetEntry> entries;
    for (const Preset& p : presets())
        entries.push_back({QString::fromStdString(p.id), QString::fromStdString(p.description),
                           QString::fromStdString(p.experiment), p.spec});
    // Stable partition keeps core's order inside each group; the default goes to the very top.
    std::stable_partition(entries.begin(), entries.end(),
                          [](const PresetEntry& e) { return e.experiment.isEmpty(); });
    const QString defaultId = QString::fromStdString(defaultPresetId());
    auto it =
        std::find_if(entries.begin(), entries.end(), [&](const PresetEntry& e) { return e.id == defaultId; });
    if (it != entries.end()) std::rotate(entries.begin(), it, it + 1);
    if (entries.empty()) {
        RunSpec spec;
        spec.name = "baseline";
        entries.push_back({QStringLiteral("baseline"), QStringLiteral("RunSpec defaults"), QString(), spec});
    }
    return entries;
}

std::vector<RunSpec> experimentSpecs(const QString& experiment) {
    std::vector<RunSpec> specs;
    if (experiment.isEmpty()) return specs;
    for (const Preset& p : presets())
        if (QString::fromStdString(p.experiment) == experiment) specs.push_back(p.spec);
    return specs;
}

} // namespace attnscope::gui
