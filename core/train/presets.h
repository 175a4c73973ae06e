#pragma once
// Named starting points: one per mechanism, and paired experiments that each show one paper's phenomenon at
// small scale (docs/experiments.md has what each shows and the numbers measured).
#include "core/train/run_spec.h"

#include <string>
#include <vector>

namespace attnscope {

struct Preset {
    std::string id;          // "baseline", "ls-attention", "exp-logit-growth/baseline", ...
    std::string description; // one line
    std::string experiment;  // paired experiment this belongs to ("" for single mechanism presets)
    RunSpec spec;
};

const std::vector<Preset>& presets();
const Preset* findPreset(const std::string& id); // nullptr if unknown
std::string defaultPresetId();                   // what the app trains with one click

} // namespace attnscope
