#pragma once
// What the New-sweep dialog asks for, turned into a SweepSpec: one of core's sweep presets with its variants
// narrowed, its LR grid replaced, `seeds` seeds (1…n) and `steps` steps per cell. Qt-free apart from strings.
#include "core/sweep/sweep_presets.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace attnscope::gui {

struct SweepRequest {
    std::string preset;      // sweepPresets() id
    QStringList variants;    // labels to keep (empty: all)
    std::vector<double> lrs; // empty: the preset's grid (ignored without an LR axis)
    int seeds = 0;           // 0: the preset's
    int steps = 0;           // 0: the preset's
    nlohmann::json overlay;  // extra RunSpec JSON merged into the base (tests: a tiny model)
};

// Throws attnscope::Error with a message for the dialog (unknown preset, no variant left, bad LR…).
SweepSpec buildSweepSpec(const SweepRequest& request);

// "1e-3, 3.16e-3, 0.01" → numbers; throws attnscope::Error naming the bad entry. Positive values only.
std::vector<double> parseLrList(const QString& text);
QString formatLrList(const std::vector<double>& lrs);

// The labels of a spec's variant axis (first axis without a field), the values of its LR axis, and its base
// number of steps / seeds (from the axis or 1).
QStringList variantLabels(const SweepSpec& spec);
std::vector<double> lrValues(const SweepSpec& spec);
int baseSteps(const SweepSpec& spec);
int seedCount(const SweepSpec& spec);

} // namespace attnscope::gui
