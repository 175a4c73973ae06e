#pragma once
// A sweep: a base RunSpec and axes over any of its fields; the grid is the Cartesian product of the axes
// (first axis slowest). Described in JSON (docs/cli.md, "sweep"):
//
//   {"name": "lr-sensitivity", "description": "...",
//    "base_preset": "exp-entropy-collapse/baseline",          // optional starting point
//    "base": {"train": {"steps": 240}},                       // RunSpec JSON overlaid on it
//    "axes": [
//      {"name": "variant", "variants": [{"label": "baseline", "set": {}},
//                                       {"label": "qk-norm", "set": {"model": {"qk_norm": true}}}]},
//      {"name": "lr", "field": "train.lr", "values": [1e-3, 1e-2, 1e-1]},
//      {"name": "seed", "field": "train.seed", "values": [1, 2, 3]}]}
//
// A "field" axis sets one RunSpec key ("section.key", exactly as in the run config JSON) to each value; a
// "variants" axis overlays a labelled RunSpec JSON fragment (several fields at once: a mechanism toggle
// with its settings). Every cell is validated when the grid is expanded, so a typo fails before training.
#include "core/train/run_spec.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace attnscope {

struct SweepAxis {
    std::string name;  // "lr", "seed", "variant"; column name in the summary
    std::string field; // "train.lr" for a field axis; empty for a variants axis
    // One entry per point: for a field axis the value, for a variants axis the overlay.
    std::vector<nlohmann::json> values;
    std::vector<std::string> labels; // text of each point in cell names and tables ("0.001", "qk-norm")
};

struct SweepSpec {
    std::string name = "sweep";
    std::string description;
    std::string basePreset; // "" = RunSpec defaults
    nlohmann::json base = nlohmann::json::object();
    std::vector<SweepAxis> axes;

    std::size_t cellCount() const;
    // Index of the axis that sets `field` ("train.lr"), or -1.
    int axisSetting(const std::string& field) const;
};

struct SweepCell {
    std::string id;                  // "baseline_lr0.001_seed1": run name suffix and file name stem
    std::vector<std::size_t> point;  // index into each axis
    std::vector<std::string> labels; // label on each axis
    RunSpec spec;                    // complete, validated
};

// Parses and checks the JSON description. Throws attnscope::Error naming the offending key.
SweepSpec sweepSpecFromJson(const nlohmann::json& j);
nlohmann::json toJson(const SweepSpec& s);

// All cells, first axis slowest. Each cell's spec = base preset ⊕ base ⊕ the axes' settings, named
// "<sweep name>/<cell id>". Throws attnscope::Error naming the cell when one is invalid.
std::vector<SweepCell> expandGrid(const SweepSpec& s);

// Label text of a field value: shortest exact text of a number ("0.001", "3"), the string itself, true/false.
std::string axisLabel(const nlohmann::json& value);

} // namespace attnscope
