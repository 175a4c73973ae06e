#pragma once
// The presets offered in the New-run panel. The list comes from core (core/train/presets.h) once it
// exists; until then the defaults of RunSpec are the only entry.
#include "core/train/run_spec.h"

#include <QString>
#include <vector>

namespace attnscope::gui {

struct PresetEntry {
    QString name;
    QString description;
    RunSpec spec;
};

std::vector<PresetEntry> presetEntries();

} // namespace attnscope::gui
