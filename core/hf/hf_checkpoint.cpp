#include "core/hf/hf_checkpoint.h"

#include "core/util/error.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace attnscope::hf {

namespace {

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::vector<std::string> shardFiles(const std::string& folder) {
    namespace fs = std::filesystem;
    const fs::path single = fs::path(folder) / "model.safetensors";
    const fs::path index = fs::path(folder) / "model.safetensors.index.json";
    if (fs::exists(single)) return {single.string()};
    if (!fs::exists(index)) {
        const bool pickle = fs::exists(fs::path(folder) / "pytorch_model.bin") ||
                            fs::exists(fs::path(folder) / "pytorch_model.bin.index.json");
        throw Error(folder + " holds no model.safetensors or model.safetensors.index.json" +
                    (pickle ? std::string(" (only PyTorch pickle weights, which are not read: save the model "
                                          "with save_pretrained(..., safe_serialization=True))")
                            : std::string()) +
                    ".");
    }
    std::ifstream in(index);
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
        throw Error(index.string() + " is not a safetensors index (a JSON object with a \"weight_map\").");
    std::set<std::string> files;
    for (const auto& [name, file] : j["weight_map"].items()) {
        if (!file.is_string() || file.get<std::string>().find('/') != std::string::npos)
            throw Error(index.string() + ": the shard of \"" + name + "\" is not a file name in the folder.");
        files.insert(file.get<std::string>());
    }
    std::vector<std::string> paths;
    for (const std::string& f : files) paths.push_back((fs::path(folder) / f).string());
    return paths;
}

} // namespace

HfCheckpoint::HfCheckpoint(const std::string& folder) : m_folder(folder), m_config(loadHfConfig(folder)) {
    for (const std::string& path : shardFiles(folder)) {
        m_files.push_back(std::make_unique<MappedSafeTensors>(path));
        for (const TensorView& t : m_files.back()->tensors())
            if (!m_byName.emplace(t.name, &t).second)
                throw Error(folder + ": the tensor \"" + t.name + "\" is stored twice.");
    }
    bind();
}

std::size_t HfCheckpoint::storedBytes() const {
    std::size_t total = 0;
    for (const auto& f : m_files) total += f->size();
    return total;
}

const TensorView* HfCheckpoint::find(const std::string& name) const {
    auto it = m_byName.find(m_prefix + name);
    if (it == m_byName.end()) it = m_byName.find(name);
    return it == m_byName.end() ? nullptr : it->second;
}

const TensorView* HfCheckpoint::optional(const std::string& name, const std::vector<std::int64_t>& shape) {
    const TensorView* t = find(name);
    if (!t) return nullptr;
    m_used.insert(t);
    if (t->shape != shape)
        throw Error(m_folder + ": the tensor \"" + t->name + "\" has shape " + shapeText(t->shape) +
                    ", but " + "config.json implies " + shapeText(shape) + ".");
    if (t->dtype != "F32" && t->dtype != "F16" && t->dtype != "BF16")
        throw Error(m_folder + ": the tensor \"" + t->name + "\" is stored as " + t->dtype +
                    "; weights must be F32, F16 or BF16 (quantised checkpoints are not read).");
    return t;
}

const TensorView& HfCheckpoint::require(const std::string& name, const std::vector<std::int64_t>& shape) {
    const TensorView* t = optional(name, shape);
    if (!t)
        throw Error(m_folder + ": the weights have no tensor \"" + m_prefix + name + "\" (" +
                    familyName(m_config.family) + " layout expected).");
    return *t;
}

Matrix HfCheckpoint::matrix(const std::string& name, int in, int out, Storage storage) {
    const std::vector<std::int64_t> shape =
        storage == Storage::OutIn ? std::vector<std::int64_t>{out, in} : std::vector<std::int64_t>{in, out};
    return {&require(name, shape), in, out, storage};
}

void HfCheckpoint::bind() {
    const HfConfig& c = m_config;
    const int C = c.dModel, D = c.headDim, H = c.heads, KV = c.kvHeads, F = c.ffn, V = c.vocab;
    HfWeights& w = m_weights;
    const bool gpt2 = c.family == Family::Gpt2, neox = c.family == Family::GptNeoX;
    const std::string embedName = gpt2 ? "wte.weight" : neox ? "embed_in.weight" : "embed_tokens.weight";
    m_prefix = gpt2 ? "transformer." : neox ? "gpt_neox." : "model.";
    if (!m_byName.count(m_prefix + embedName)) m_prefix.clear();
    w.embed = &require(embedName, {V, C});
    if (gpt2) w.positions = &require("wpe.weight", {c.context, C});
    const std::string layerPrefix = gpt2 ? "h." : "layers.";
    for (int l = 0; l < c.layers; ++l) {
        const std::string p = layerPrefix + std::to_string(l) + ".";
        LayerWeights L;
        if (gpt2) {
            L.norm1 = &require(p + "ln_1.weight", {C}), L.norm1Bias = &require(p + "ln_1.bias", {C});
            L.norm2 = &require(p + "ln_2.weight", {C}), L.norm2Bias = &require(p + "ln_2.bias", {C});
            L.qkv = matrix(p + "attn.c_attn.weight", C, 3 * C, Storage::InOut);
            L.qkvBias = &require(p + "attn.c_attn.bias", {3 * C});
            L.out = matrix(p + "attn.c_proj.weight", C, C, Storage::InOut);
            L.outBias = &require(p + "attn.c_proj.bias", {C});
            L.up = matrix(p + "mlp.c_fc.weight", C, F, Storage::InOut);
            L.upBias = &require(p + "mlp.c_fc.bias", {F});
            L.down = matrix(p + "mlp.c_proj.weight", F, C, Storage::InOut);
            L.downBias = &require(p + "mlp.c_proj.bias", {C});
        } else if (neox) {
            L.norm1 = &require(p + "input_layernorm.weight", {C});
            L.norm1Bias = &require(p + "input_layernorm.bias", {C});
            L.norm2 = &require(p + "post_attention_layernorm.weight", {C});
            L.norm2Bias = &require(p + "post_attention_layernorm.bias", {C});
            L.qkv = matrix(p + "attention.query_key_value.weight", C, 3 * C, Storage::OutIn);
            L.out = matrix(p + "attention.dense.weight", C, C, Storage::OutIn);
            if (c.qkvBias) L.qkvBias = &require(p + "attention.query_key_value.bias", {3 * C});
            if (c.outBias) L.outBias = &require(p + "attention.dense.bias", {C});
            L.up = matrix(p + "mlp.dense_h_to_4h.weight", C, F, Storage::OutIn);
            L.upBias = &require(p + "mlp.dense_h_to_4h.bias", {F});
            L.down = matrix(p + "mlp.dense_4h_to_h.weight", F, C, Storage::OutIn);
            L.downBias = &require(p + "mlp.dense_4h_to_h.bias", {C});
        } else {
            L.norm1 = &require(p + "input_layernorm.weight", {C});
            L.norm2 = &require(p + "post_attention_layernorm.weight", {C});
            L.q = matrix(p + "self_attn.q_proj.weight", C, H * D, Storage::OutIn);
            L.k = matrix(p + "self_attn.k_proj.weight", C, KV * D, Storage::OutIn);
            L.v = matrix(p + "self_attn.v_proj.weight", C, KV * D, Storage::OutIn);
            L.out = matrix(p + "self_attn.o_proj.weight", H * D, C, Storage::OutIn);
            if (c.qkvBias) {
                L.qBias = &require(p + "self_attn.q_proj.bias", {H * D});
                L.kBias = &require(p + "self_attn.k_proj.bias", {KV * D});
                L.vBias = &require(p + "self_attn.v_proj.bias", {KV * D});
            }
            if (c.outBias) L.outBias = &require(p + "self_attn.o_proj.bias", {C});
            L.gate = matrix(p + "mlp.gate_proj.weight", C, F, Storage::OutIn);
            L.up = matrix(p + "mlp.up_proj.weight", C, F, Storage::OutIn);
            L.down = matrix(p + "mlp.down_proj.weight", F, C, Storage::OutIn);
            if (c.mlpBias) {
                L.upBias = &require(p + "mlp.up_proj.bias", {F});
                L.downBias = &require(p + "mlp.down_proj.bias", {C});
                L.gateBias = &require(p + "mlp.gate_proj.bias", {F});
            }
        }
        w.layers.push_back(L);
    }
    const std::string finalName = gpt2 ? "ln_f." : neox ? "final_layer_norm." : "norm.";
    w.finalNorm = &require(finalName + "weight", {C});
    if (c.family != Family::Llama) w.finalNormBias = &require(finalName + "bias", {C});
    const std::string headName = neox ? "embed_out.weight" : "lm_head.weight";
    const TensorView* head = optional(headName, {V, C});
    if (c.tiedEmbeddings) {
        w.head =
            w.embed; // a stored copy of a tied head equals the embedding; transformers reads the embedding
    } else {
        if (!head)
            throw Error(m_folder + ": the weights have no output head \"" + headName +
                        "\" and config.json "
                        "says the embeddings are not tied.");
        w.head = head;
    }
    // Parameters and stored type of the tensors the model uses (not of buffers such as GPT-2's stored masks).
    std::set<std::string> dtypes;
    for (const TensorView* t : m_used) {
        dtypes.insert(t->dtype);
        m_parameters += t->elementCount();
    }
    m_dtype = dtypes.size() == 1 ? *dtypes.begin() : "mixed";
}

std::optional<int> stepFromFolderName(const std::string& folder) {
    std::string name = std::filesystem::path(folder).filename().string();
    if (name.empty()) name = std::filesystem::path(folder).parent_path().filename().string();
    static const std::regex pattern(R"((?:step|checkpoint)[-_]?(\d{1,9})(?!.*(?:step|checkpoint)))",
                                    std::regex::icase);
    std::smatch m;
    if (!std::regex_search(name, m, pattern)) return std::nullopt;
    return std::stoi(m[1].str());
}

} // namespace attnscope::hf
