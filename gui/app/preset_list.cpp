#include "gui/app/preset_list.h"

namespace attnscope::gui {

std::vector<PresetEntry> presetEntries() {
    RunSpec spec;
    spec.name = "baseline";
    spec.preset = "default";
    return {{QStringLiteral("Default"),
             QStringLiteral("nanoGPT-style baseline on Debian fortunes: 4 layers × 4 heads, d 128, T 128."),
             spec}};
}

} // namespace attnscope::gui
