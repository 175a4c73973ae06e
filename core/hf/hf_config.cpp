#include "core/hf/hf_config.h"

#include "core/util/error.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace attnscope::hf {

namespace {

using nlohmann::json;

[[noreturn]] void refuse(const std::string& why) {
    throw Error("config.json: " + why);
}

bool has(const json& c, const char* key) {
    return c.contains(key) && !c[key].is_null();
}

int positiveInt(const json& c, const char* key) {
    if (!has(c, key) || !c[key].is_number_integer() || c[key].get<std::int64_t>() <= 0 ||
        c[key].get<std::int64_t>() > (1 << 30))
        refuse(std::string("\"") + key + "\" must be a positive integer.");
    return c[key].get<int>();
}
int intOr(const json& c, const char* key, int fallback) {
    return has(c, key) ? positiveInt(c, key) : fallback;
}
double numberOr(const json& c, const char* key, double fallback) {
    if (!has(c, key)) return fallback;
    if (!c[key].is_number() || !std::isfinite(c[key].get<double>()))
        refuse(std::string("\"") + key + "\" must be a number.");
    return c[key].get<double>();
}
bool boolOr(const json& c, const char* key, bool fallback) {
    if (!has(c, key)) return fallback;
    if (!c[key].is_boolean()) refuse(std::string("\"") + key + "\" must be true or false.");
    return c[key].get<bool>();
}
std::string stringOr(const json& c, const char* key, const std::string& fallback) {
    if (!has(c, key)) return fallback;
    if (!c[key].is_string()) refuse(std::string("\"") + key + "\" must be a string.");
    return c[key].get<std::string>();
}

Activation activation(const std::string& name) {
    // transformers' ACT2FN: "gelu" is the exact (erf) GELU; gelu_new, gelu_fast and gelu_pytorch_tanh are the
    // tanh approximation written three ways.
    if (name == "gelu") return Activation::GeluErf;
    if (name == "gelu_new" || name == "gelu_fast" || name == "gelu_pytorch_tanh") return Activation::GeluTanh;
    if (name == "relu") return Activation::Relu;
    if (name == "silu" || name == "swish") return Activation::Silu;
    refuse("the activation \"" + name +
           "\" is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu, silu).");
}

// Rope scaling (linear, dynamic NTK, YaRN, llama3) changes the rotation frequencies; none is implemented, so
// a model that uses one is refused instead of being run with plain rotary.
void refuseRopeScaling(const json& c) {
    for (const char* key : {"rope_scaling", "rope_parameters"}) {
        if (!has(c, key)) continue;
        const json& r = c[key];
        std::string type = r.is_object() ? stringOr(r, "rope_type", stringOr(r, "type", "default")) : "?";
        if (type != "default") refuse("rope scaling of type \"" + type + "\" is not supported.");
    }
}

void common(HfConfig& h, const json& c) {
    h.heads = positiveInt(c, "num_attention_heads");
    h.dModel = positiveInt(c, "hidden_size");
    h.layers = positiveInt(c, "num_hidden_layers");
    h.ffn = positiveInt(c, "intermediate_size");
    h.vocab = positiveInt(c, "vocab_size");
    h.context = positiveInt(c, "max_position_embeddings");
}

} // namespace

const char* familyName(Family f) {
    switch (f) {
    case Family::Gpt2:
        return "gpt2";
    case Family::GptNeoX:
        return "gpt_neox";
    case Family::Llama:
        return "llama";
    }
    return "?";
}

HfConfig parseHfConfig(const json& c) {
    if (!c.is_object()) refuse("not a JSON object.");
    HfConfig h;
    h.modelType = stringOr(c, "model_type", "");
    h.torchDtype = stringOr(c, "torch_dtype", stringOr(c, "dtype", ""));
    if (h.modelType == "gpt2") {
        h.family = Family::Gpt2;
        h.dModel = positiveInt(c, "n_embd");
        h.heads = positiveInt(c, "n_head");
        h.layers = positiveInt(c, "n_layer");
        h.vocab = positiveInt(c, "vocab_size");
        h.context = intOr(c, "n_positions", intOr(c, "n_ctx", 1024));
        h.ffn = intOr(c, "n_inner", 4 * h.dModel);
        h.normEps = numberOr(c, "layer_norm_epsilon", 1e-5);
        h.activation = activation(stringOr(c, "activation_function", "gelu_new"));
        h.tiedEmbeddings = boolOr(c, "tie_word_embeddings", true);
        h.qkvBias = h.outBias = h.mlpBias = true;
        if (!boolOr(c, "scale_attn_weights", true))
            refuse("scale_attn_weights = false (attention without 1/√d) is not supported.");
        if (boolOr(c, "scale_attn_by_inverse_layer_idx", false))
            refuse("scale_attn_by_inverse_layer_idx (logits divided by the layer number) is not supported.");
    } else if (h.modelType == "gpt_neox") {
        h.family = Family::GptNeoX;
        common(h, c);
        h.normEps = numberOr(c, "layer_norm_eps", 1e-5);
        h.activation = activation(stringOr(c, "hidden_act", "gelu"));
        h.parallelResidual = boolOr(c, "use_parallel_residual", true);
        h.tiedEmbeddings = boolOr(c, "tie_word_embeddings", false);
        const bool bias = boolOr(c, "attention_bias", true);
        h.qkvBias = h.outBias = bias;
        h.mlpBias = true;
        const double fraction = numberOr(c, "rotary_pct", numberOr(c, "partial_rotary_factor", 0.25));
        if (fraction < 0 || fraction > 1) refuse("rotary_pct must lie in [0, 1].");
        h.rotaryBase = numberOr(c, "rotary_emb_base", numberOr(c, "rope_theta", 10000));
        refuseRopeScaling(c);
        h.headDim = h.dModel / h.heads;
        h.rotaryDims = int(h.headDim * fraction); // transformers: int(head_size * rotary_pct)
    } else if (h.modelType == "llama" || h.modelType == "mistral" || h.modelType == "qwen2") {
        h.family = Family::Llama;
        common(h, c);
        h.normEps = numberOr(c, "rms_norm_eps", 1e-6);
        h.activation = activation(stringOr(c, "hidden_act", "silu"));
        h.kvHeads = intOr(c, "num_key_value_heads", h.heads);
        h.headDim = intOr(c, "head_dim", h.dModel / h.heads);
        h.rotaryBase = numberOr(c, "rope_theta", 10000);
        refuseRopeScaling(c);
        if (numberOr(c, "partial_rotary_factor", 1.0) != 1.0)
            refuse("partial_rotary_factor is not supported for " + h.modelType + ".");
        h.rotaryDims = h.headDim;
        h.tiedEmbeddings = boolOr(c, "tie_word_embeddings", false);
        if (h.modelType == "qwen2") {
            h.qkvBias = true; // Qwen2Attention: q, k, v projections with bias, o_proj without
            if (boolOr(c, "use_sliding_window", false)) h.slidingWindow = intOr(c, "sliding_window", 4096);
        } else {
            h.qkvBias = h.outBias = boolOr(c, "attention_bias", false);
            h.mlpBias = boolOr(c, "mlp_bias", false);
            if (h.modelType == "mistral")
                h.slidingWindow = has(c, "sliding_window") ? positiveInt(c, "sliding_window") : 0;
        }
    } else {
        refuse("model_type \"" + h.modelType +
               "\" is not supported (gpt2, gpt_neox, llama, mistral, qwen2; docs/real-models.md).");
    }
    if (h.kvHeads == 0) h.kvHeads = h.heads;
    if (h.headDim == 0) {
        if (h.dModel % h.heads != 0)
            refuse("hidden size " + std::to_string(h.dModel) + " is not a multiple of the " +
                   std::to_string(h.heads) + " heads.");
        h.headDim = h.dModel / h.heads;
    }
    if (h.heads % h.kvHeads != 0)
        refuse(std::to_string(h.heads) + " query heads cannot share " + std::to_string(h.kvHeads) +
               " key/value heads evenly.");
    if (h.family != Family::Llama && h.headDim * h.heads != h.dModel)
        refuse("hidden size " + std::to_string(h.dModel) + " is not a multiple of the heads.");
    if (h.rotaryDims % 2 != 0) refuse("the rotary dimensions per head must be even.");
    if (h.normEps <= 0) refuse("the normalisation epsilon must be positive.");
    return h;
}

HfConfig loadHfConfig(const std::string& folder) {
    const std::string path = folder + "/config.json";
    std::ifstream in(path);
    if (!in) throw Error("Cannot open " + path + ": a Hugging Face model folder holds a config.json.");
    const json c = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (c.is_discarded()) throw Error(path + " is not valid JSON.");
    try {
        return parseHfConfig(c);
    } catch (const Error& e) {
        throw Error(folder + ": " + e.what());
    }
}

} // namespace attnscope::hf
