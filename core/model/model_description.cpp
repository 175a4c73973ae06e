#include "core/model/model_description.h"

#include "core/model/config.h"
#include "core/util/error.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace attnscope {

namespace {

[[noreturn]] void wrongType(const std::string& key, const char* expected, const nlohmann::json& value) {
    throw Error("model_json." + key + ": expected " + expected + ", got " + value.dump());
}

void readText(const nlohmann::json& j, const char* key, std::optional<std::string>& out) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_string()) wrongType(key, "a string", j[key]);
    out = j[key].get<std::string>();
}

void readCount(const nlohmann::json& j, const char* key, std::optional<int>& out) {
    if (!j.contains(key) || j[key].is_null()) return;
    const nlohmann::json& v = j[key];
    if (!v.is_number_integer() || v.get<long long>() < 1 ||
        v.get<long long>() > std::numeric_limits<int>::max())
        wrongType(key, "a positive integer", v);
    out = v.get<int>();
}

void readBool(const nlohmann::json& j, const char* key, std::optional<bool>& out) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_boolean()) wrongType(key, "true or false", j[key]);
    out = j[key].get<bool>();
}

void readNumber(const nlohmann::json& j, const std::string& where, const char* key,
                std::optional<double>& out) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_number() || !std::isfinite(j[key].get<double>()))
        wrongType(where + key, "a number", j[key]);
    out = j[key].get<double>();
}

std::string shown(const std::optional<int>& v) {
    return v ? std::to_string(*v) : kUnknownValue;
}
std::string shown(const std::optional<std::string>& v) {
    return v && !v->empty() ? *v : kUnknownValue;
}
std::string shown(const std::optional<bool>& v) {
    return v ? (*v ? "yes" : "no") : kUnknownValue;
}

std::string compact(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return buffer;
}

// 124439808 → "124.4 M": parameter counts are read at a glance.
std::string parameterCount(std::int64_t n) {
    if (n >= 1'000'000'000) return compact(std::round(double(n) / 1e8) / 10) + " B";
    if (n >= 1'000'000) return compact(std::round(double(n) / 1e5) / 10) + " M";
    if (n >= 10'000) return compact(std::round(double(n) / 1e2) / 10) + " k";
    return std::to_string(n);
}

} // namespace

bool ModelDescription::empty() const {
    return toJson(*this).empty();
}

std::vector<std::string> ModelDescription::contradictions() const {
    std::vector<std::string> out;
    if (heads && kvHeads && (*kvHeads > *heads || *heads % *kvHeads != 0))
        out.push_back("key/value heads (" + std::to_string(*kvHeads) + ") must divide the query heads (" +
                      std::to_string(*heads) + ")");
    if (rotaryFraction && !(*rotaryFraction > 0 && *rotaryFraction <= 1))
        out.push_back("the rotary fraction " + compact(*rotaryFraction) + " is not in (0, 1]");
    if (rotaryBase && !(*rotaryBase > 0))
        out.push_back("the rotary base " + compact(*rotaryBase) + " is not positive");
    if (parameters && *parameters < 0) out.push_back("a negative parameter count");
    return out;
}

std::string ModelDescription::shapeLine() const {
    std::string s = shown(layers) + "L × " + shown(heads) + "H";
    if (kvHeads && heads && *kvHeads != *heads) s += " (kv " + std::to_string(*kvHeads) + ")";
    return s + " · d" + shown(dModel) + " · T" + shown(context);
}

std::vector<std::string> ModelDescription::badges() const {
    std::vector<std::string> b;
    if (family) b.push_back(*family);
    if (positionScheme) {
        const std::string& p = *positionScheme;
        if (p == "rotary")
            b.push_back(rotaryFraction && *rotaryFraction < 1
                            ? "RoPE " + compact(std::round(*rotaryFraction * 1000) / 10) + "%"
                            : "RoPE");
        else if (p == "learned" || p == "sinusoidal")
            b.push_back(p + " PE");
        else if (p == "alibi")
            b.push_back("ALiBi");
        else if (p == "none")
            b.push_back("NoPE");
        else
            b.push_back(p);
    }
    if (heads && kvHeads && *kvHeads < *heads)
        b.push_back(*kvHeads == 1 ? "MQA" : "GQA kv " + std::to_string(*kvHeads));
    if (norm && *norm == "rmsnorm") b.push_back("RMSNorm");
    if (mlp && *mlp == "swiglu") b.push_back("SwiGLU");
    if (parallelResidual && *parallelResidual) b.push_back("parallel residual");
    return b;
}

std::vector<std::pair<std::string, std::string>> ModelDescription::displayRows() const {
    std::string position = shown(positionScheme);
    if (positionScheme && *positionScheme == "rotary") {
        if (rotaryFraction) position += ", fraction " + compact(*rotaryFraction);
        if (rotaryBase) position += ", base " + compact(*rotaryBase);
    }
    return {{"family", shown(family)},
            {"layers", shown(layers)},
            {"heads", shown(heads)},
            {"key/value heads", shown(kvHeads)},
            {"head dim", shown(headDim)},
            {"d_model", shown(dModel)},
            {"vocabulary", shown(vocab)},
            {"context", shown(context)},
            {"position", position},
            {"norm", shown(norm)},
            {"MLP", shown(mlp)},
            {"parallel residual", shown(parallelResidual)},
            {"tied embeddings", shown(tiedEmbeddings)},
            {"parameters", parameters ? parameterCount(*parameters) : kUnknownValue},
            {"weights", shown(dtype)},
            {"model", shown(nameOrPath)},
            {"revision", shown(revision)},
            {"described by", shown(source)}};
}

ModelDescription describeEngineModel(const ModelConfig& c) {
    ModelDescription d;
    d.family = "attnscope";
    d.source = "engine";
    d.layers = c.layers;
    d.heads = c.heads;
    d.kvHeads = c.heads;
    if (c.heads > 0 && c.dModel % c.heads == 0) d.headDim = c.headDim();
    d.dModel = c.dModel;
    d.vocab = c.vocab;
    d.context = c.context;
    switch (c.position) {
    case PositionScheme::Learned:
        d.positionScheme = "learned";
        break;
    case PositionScheme::Sinusoidal:
        d.positionScheme = "sinusoidal";
        break;
    case PositionScheme::None:
        d.positionScheme = "none";
        break;
    case PositionScheme::Alibi:
        d.positionScheme = "alibi";
        break;
    case PositionScheme::Rope:
        d.positionScheme = "rotary";
        d.rotaryFraction = 1.0;
        d.rotaryBase = c.ropeTheta;
        break;
    }
    d.norm = "layernorm";
    d.mlp = "gelu";
    d.parallelResidual = false;
    d.tiedEmbeddings = c.tiedHead;
    d.dtype = "float32";
    return d;
}

nlohmann::json toJson(const ModelDescription& d) {
    nlohmann::json j = nlohmann::json::object();
    auto put = [&](const char* key, const auto& value) {
        if (value) j[key] = *value;
    };
    put("family", d.family);
    put("source", d.source);
    put("layers", d.layers);
    put("heads", d.heads);
    put("kv_heads", d.kvHeads);
    put("head_dim", d.headDim);
    put("d_model", d.dModel);
    put("vocab", d.vocab);
    put("context", d.context);
    if (d.positionScheme || d.rotaryFraction || d.rotaryBase) {
        nlohmann::json p = nlohmann::json::object();
        if (d.positionScheme) p["scheme"] = *d.positionScheme;
        if (d.rotaryFraction) p["rotary_fraction"] = *d.rotaryFraction;
        if (d.rotaryBase) p["rotary_base"] = *d.rotaryBase;
        j["position"] = p;
    }
    put("norm", d.norm);
    put("mlp", d.mlp);
    put("parallel_residual", d.parallelResidual);
    put("tied_embeddings", d.tiedEmbeddings);
    put("parameters", d.parameters);
    put("dtype", d.dtype);
    put("name_or_path", d.nameOrPath);
    put("revision", d.revision);
    if (!d.checkpointFolders.empty()) {
        nlohmann::json folders = nlohmann::json::array();
        for (const auto& f : d.checkpointFolders) folders.push_back({{"step", f.step}, {"path", f.path}});
        j["checkpoint_folders"] = folders;
    }
    return j;
}

ModelDescription modelDescriptionFromJson(const nlohmann::json& j) {
    if (!j.is_object()) throw Error("model_json: expected an object, got " + j.dump());
    ModelDescription d;
    readText(j, "family", d.family);
    readText(j, "source", d.source);
    readCount(j, "layers", d.layers);
    readCount(j, "heads", d.heads);
    readCount(j, "kv_heads", d.kvHeads);
    readCount(j, "head_dim", d.headDim);
    readCount(j, "d_model", d.dModel);
    readCount(j, "vocab", d.vocab);
    readCount(j, "context", d.context);
    if (j.contains("position") && !j["position"].is_null()) {
        const nlohmann::json& p = j["position"];
        if (!p.is_object()) wrongType("position", "an object", p);
        if (p.contains("scheme") && !p["scheme"].is_null()) {
            if (!p["scheme"].is_string()) wrongType("position.scheme", "a string", p["scheme"]);
            d.positionScheme = p["scheme"].get<std::string>();
        }
        readNumber(p, "position.", "rotary_fraction", d.rotaryFraction);
        readNumber(p, "position.", "rotary_base", d.rotaryBase);
    }
    readText(j, "norm", d.norm);
    readText(j, "mlp", d.mlp);
    readBool(j, "parallel_residual", d.parallelResidual);
    readBool(j, "tied_embeddings", d.tiedEmbeddings);
    if (j.contains("parameters") && !j["parameters"].is_null()) {
        if (!j["parameters"].is_number_integer()) wrongType("parameters", "an integer", j["parameters"]);
        d.parameters = j["parameters"].get<std::int64_t>();
    }
    readText(j, "dtype", d.dtype);
    readText(j, "name_or_path", d.nameOrPath);
    readText(j, "revision", d.revision);
    if (j.contains("checkpoint_folders") && !j["checkpoint_folders"].is_null()) {
        const nlohmann::json& folders = j["checkpoint_folders"];
        if (!folders.is_array()) wrongType("checkpoint_folders", "an array", folders);
        for (const nlohmann::json& f : folders) {
            if (!f.is_object() || !f.contains("step") || !f["step"].is_number_integer() || f["step"] < 0 ||
                f["step"] > std::numeric_limits<int>::max() || !f.contains("path") || !f["path"].is_string())
                wrongType("checkpoint_folders", "{\"step\": a step, \"path\": a folder} entries", f);
            d.checkpointFolders.push_back({f["step"].get<int>(), f["path"].get<std::string>()});
        }
    }
    return d;
}

std::string toJsonText(const ModelDescription& d) {
    const nlohmann::json j = toJson(d);
    return j.empty() ? std::string() : j.dump();
}

ModelDescription modelDescriptionFromJsonText(const std::string& text) {
    if (text.empty()) return {};
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw Error("model_json is not valid JSON");
    return modelDescriptionFromJson(j);
}

} // namespace attnscope
