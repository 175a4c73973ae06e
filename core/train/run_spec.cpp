#include "core/train/run_spec.h"

#include "core/util/error.h"

#include <nlohmann/json.hpp>
#include <set>
#include <type_traits>

namespace attnscope {

using nlohmann::json;

namespace {

// Each config struct lists its fields once, in visitFields(); both serialisation directions use it, so a
// field can never be written under one name and read under another.
template <typename V> void visitFields(ModelConfig& c, V&& v) {
    v("layers", c.layers);
    v("heads", c.heads);
    v("d_model", c.dModel);
    v("context", c.context);
    v("vocab", c.vocab);
    v("position", c.position);
    v("sinusoidal_scale", c.sinusoidalScale);
    v("rope_theta", c.ropeTheta);
    v("tied_head", c.tiedHead);
    v("attention", c.attention);
    v("ls_attention", c.lsAttention);
    v("global_heads", c.globalHeads);
    v("window", c.window);
    v("value_residual", c.valueResidual);
    v("lambda1", c.lambda1);
    v("lambda2", c.lambda2);
    v("sigma_reparam", c.sigmaReparam);
    v("gamma_init", c.gammaInit);
    v("qk_norm", c.qkNorm);
    v("z_loss", c.zLoss);
    v("layer_norm_eps", c.layerNormEps);
    v("init_std", c.initStd);
}

template <typename V> void visitFields(TrainConfig& c, V&& v) {
    v("batch", c.batch);
    v("steps", c.steps);
    v("lr", c.lr);
    v("min_lr_ratio", c.minLrRatio);
    v("warmup", c.warmup);
    v("optimizer", c.optimizer);
    v("momentum", c.momentum);
    v("weight_decay", c.weightDecay);
    v("decay_mode", c.decayMode);
    v("beta1", c.beta1);
    v("beta2", c.beta2);
    v("eps", c.eps);
    v("grad_clip", c.gradClip);
    v("seed", c.seed);
    v("threads", c.threads);
    v("record_every", c.recordEvery);
    v("eval_every", c.evalEvery);
    v("eval_batches", c.evalBatches);
    v("checkpoint_every", c.checkpointEvery);
    v("probe_length", c.probeLength);
    v("map_precision", c.mapPrecision);
    v("probe_logits", c.probeLogits);
    v("induction_probe", c.inductionProbe);
}

template <typename V> void visitFields(DataConfig& c, V&& v) {
    v("source", c.source);
    v("path", c.path);
    v("task", c.task);
    v("task_alphabet", c.taskAlphabet);
    v("task_local_k", c.taskLocalK);
    v("bos", c.bos);
    v("bos_aligned", c.bosAligned);
    v("task_triggers", c.taskTriggers);
    v("val_fraction", c.valFraction);
    v("probe_text", c.probeText);
}

const char* toString(WeightDecayMode m) {
    return m == WeightDecayMode::Decoupled ? "decoupled" : "independent";
}
bool parse(const std::string& s, WeightDecayMode& out) {
    if (s == "decoupled")
        out = WeightDecayMode::Decoupled;
    else if (s == "independent")
        out = WeightDecayMode::Independent;
    else
        return false;
    return true;
}

const char* toString(MapPrecision p) {
    return p == MapPrecision::Float16 ? "f16" : "q8";
}
bool parse(const std::string& s, MapPrecision& out) {
    if (s == "f16")
        out = MapPrecision::Float16;
    else if (s == "q8")
        out = MapPrecision::Quantized8;
    else
        return false;
    return true;
}

template <typename T> constexpr bool isEnum = std::is_enum_v<T>;

struct Writer {
    json& j;
    template <typename T> void operator()(const char* key, T& value) {
        if constexpr (isEnum<T>)
            j[key] = toString(value);
        else
            j[key] = value;
    }
};

std::string describe(const json& v) {
    std::string s = v.dump();
    return s.size() > 40 ? s.substr(0, 40) + "…" : s;
}

struct Reader {
    const json& j;
    std::string where;
    std::set<std::string> seen;
    template <typename T> void operator()(const char* key, T& value) {
        seen.insert(key);
        auto it = j.find(key);
        if (it == j.end()) return;
        const std::string name = where + "." + key;
        if constexpr (isEnum<T>) {
            if (!it->is_string() || !parse(it->template get<std::string>(), value))
                throw Error(name + ": unknown value " + describe(*it) + ".");
        } else if constexpr (std::is_same_v<T, bool>) {
            if (!it->is_boolean()) throw Error(name + ": expected true or false, got " + describe(*it) + ".");
            value = it->template get<bool>();
        } else if constexpr (std::is_integral_v<T>) {
            if (!it->is_number_integer())
                throw Error(name + ": expected an integer, got " + describe(*it) + ".");
            if constexpr (std::is_unsigned_v<T>) {
                if (it->is_number_unsigned() || it->template get<long long>() >= 0)
                    value = it->template get<T>();
                else
                    throw Error(name + ": expected a non-negative integer, got " + describe(*it) + ".");
            } else {
                const long long v = it->template get<long long>();
                if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
                    throw Error(name + ": " + describe(*it) + " is out of range.");
                value = T(v);
            }
        } else if constexpr (std::is_floating_point_v<T>) {
            if (!it->is_number()) throw Error(name + ": expected a number, got " + describe(*it) + ".");
            value = it->template get<T>();
        } else {
            if (!it->is_string()) throw Error(name + ": expected a string, got " + describe(*it) + ".");
            value = it->template get<std::string>();
        }
    }
    void rejectUnknown() const {
        for (auto it = j.begin(); it != j.end(); ++it)
            if (!seen.count(it.key()))
                throw Error(where + "." + it.key() +
                            ": unknown setting (check the spelling; `attnscope-cli train --dry-run` prints "
                            "every setting).");
    }
};

template <typename C> json write(C c) {
    json j = json::object();
    visitFields(c, Writer{j});
    return j;
}

template <typename C> void read(const json& j, C& c, const std::string& where) {
    if (!j.is_object()) throw Error(where + ": expected an object, got " + describe(j) + ".");
    Reader r{j, where, {}};
    visitFields(c, r);
    r.rejectUnknown();
}

void prefix(std::vector<std::string>& out, const std::vector<std::string>& in, const char* what) {
    for (const auto& e : in) out.push_back(std::string(what) + ": " + e);
}

} // namespace

json toJson(const ModelConfig& c) {
    return write(c);
}
json toJson(const TrainConfig& c) {
    return write(c);
}
json toJson(const DataConfig& c) {
    return write(c);
}
json toJson(const RunSpec& s) {
    return json{{"name", s.name},           {"description", s.description}, {"preset", s.preset},
                {"model", toJson(s.model)}, {"train", toJson(s.train)},     {"data", toJson(s.data)}};
}

void applyJson(const json& j, ModelConfig& out, const std::string& where) {
    read(j, out, where);
}
void applyJson(const json& j, TrainConfig& out, const std::string& where) {
    read(j, out, where);
}
void applyJson(const json& j, DataConfig& out, const std::string& where) {
    read(j, out, where);
}

void applyJson(const json& j, RunSpec& out) {
    if (!j.is_object()) throw Error("run config: expected a JSON object, got " + describe(j) + ".");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        if (k == "model")
            applyJson(*it, out.model, "model");
        else if (k == "train")
            applyJson(*it, out.train, "train");
        else if (k == "data")
            applyJson(*it, out.data, "data");
        else if (k == "name" || k == "description" || k == "preset") {
            if (!it->is_string()) throw Error(k + ": expected a string, got " + describe(*it) + ".");
            (k == "name"          ? out.name
             : k == "description" ? out.description
                                  : out.preset) = it->get<std::string>();
        } else
            throw Error(k + ": unknown section (expected model, train, data, name, description, preset).");
    }
}

RunSpec runSpecFromJson(const json& j) {
    RunSpec s;
    applyJson(j, s);
    return s;
}

std::vector<std::string> RunSpec::validate() const {
    std::vector<std::string> errors;
    prefix(errors, model.validate(), "model");
    prefix(errors, train.validate(), "train");
    prefix(errors, data.validate(), "data");
    // Probes run on the model at the trained length; a longer probe is refused, never silently shortened.
    if (train.probeLength > model.context && model.context >= 2)
        errors.push_back("train: probe_length (" + std::to_string(train.probeLength) +
                         ") must not exceed the context (" + std::to_string(model.context) +
                         "); use 0 for the whole context.");
    if (name.empty()) errors.push_back("name: a run needs a name.");
    return errors;
}

} // namespace attnscope
