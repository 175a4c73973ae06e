#pragma once
// Named sweeps (attnscope-cli sweep --preset ID; docs/experiments.md has what each found).
#include "core/sweep/sweep_spec.h"

#include <string>
#include <vector>

namespace attnscope {

struct SweepPreset {
    std::string id;
    std::string description; // one line
    SweepSpec spec;
};

const std::vector<SweepPreset>& sweepPresets();
const SweepPreset* findSweepPreset(const std::string& id); // nullptr if unknown

} // namespace attnscope
