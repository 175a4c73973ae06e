#pragma once
// Everything that defines a run: model + mechanisms, optimisation, data. Serialised as JSON in run files,
// checkpoints and `attnscope-cli train --config`.
#include "core/model/config.h"
#include "core/train/train_config.h"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace attnscope {

struct RunSpec {
    std::string name = "run";
    std::string description;
    std::string preset; // preset it started from, if any
    ModelConfig model;
    TrainConfig train;
    DataConfig data;

    std::vector<std::string> validate() const; // model + train + data + cross-checks
};

nlohmann::json toJson(const ModelConfig& c);
nlohmann::json toJson(const TrainConfig& c);
nlohmann::json toJson(const DataConfig& c);
nlohmann::json toJson(const RunSpec& s);

// Overlays the keys present in `j` onto `out`. Unknown keys, wrong types and bad enum names throw
// attnscope::Error naming the key ("model.heads: expected an integer, got \"four\"").
void applyJson(const nlohmann::json& j, ModelConfig& out, const std::string& where = "model");
void applyJson(const nlohmann::json& j, TrainConfig& out, const std::string& where = "train");
void applyJson(const nlohmann::json& j, DataConfig& out, const std::string& where = "data");
void applyJson(const nlohmann::json& j, RunSpec& out);
RunSpec runSpecFromJson(const nlohmann::json& j); // defaults overlaid with j

} // namespace attnscope
