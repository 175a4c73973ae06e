#pragma once
// The presets offered in the New-run panel, from core/train/presets.h, with the one-click default first.
#include "core/train/run_spec.h"

#include <QString>
#include <vector>

namespace attnscope::gui {

struct PresetEntry {
    QString id;          // "baseline", "exp-logit-growth/baseline", …
    QString description; // one line
    QString experiment;  // paired experiment it belongs to; empty for single-mechanism presets
    RunSpec spec;
};

// Single-mechanism presets first (the default at index 0), then the paired experiments in order.
std::vector<PresetEntry> presetEntries();
// Every preset of `experiment`, in order.
std::vector<RunSpec> experimentSpecs(const QString& experiment);

} // namespace attnscope::gui
