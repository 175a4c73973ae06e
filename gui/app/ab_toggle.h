#pragma once
// A/B runs: two runs identical in everything (seed, data order, size, schedule) except one mechanism
// toggle, so their curves and maps can be compared directly.
#include "core/train/run_spec.h"

#include <QString>
#include <utility>
#include <vector>

namespace attnscope::gui {

struct AbToggle {
    QString key;   // stable id ("alibi", "ls", ...)
    QString label; // menu text
    QString tag;   // in run names: "baseline A −ALiBi", "baseline B +ALiBi"
};

const std::vector<AbToggle>& abToggles();
bool abIsOn(const RunSpec& spec, const QString& key);
// `spec` with the toggle set. Switching on keeps the spec's own option values when it already has the
// mechanism (e.g. its window or σReparam mode) and uses the paper defaults otherwise.
RunSpec abWith(const RunSpec& spec, const QString& key, bool on);
// A = toggle off, B = toggle on; names get " A −ALiBi" / " B +ALiBi" suffixes.
std::pair<RunSpec, RunSpec> abPair(const RunSpec& base, const QString& key);

} // namespace attnscope::gui
