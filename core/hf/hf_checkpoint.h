#pragma once
// A Hugging Face model folder: config.json plus model.safetensors or model.safetensors.index.json with its
// shards, memory-mapped. Tensors are found by transformers' state-dict names (with or without the base
// model's prefix: "transformer.", "gpt_neox.", "model.") and checked against the config's shapes.
#include "core/hf/hf_config.h"
#include "core/store/mapped_safetensors.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace attnscope::hf {

// How a weight matrix is stored: transformers' nn.Linear keeps (out, in); GPT-2's Conv1D keeps (in, out).
enum class Storage { OutIn, InOut };

struct Matrix {
    const TensorView* tensor = nullptr;
    int in = 0, out = 0;
    Storage storage = Storage::OutIn;
};

struct LayerWeights {
    const TensorView *norm1 = nullptr, *norm1Bias = nullptr, *norm2 = nullptr, *norm2Bias = nullptr;
    // gpt2: qkv = c_attn (in, 3C) columns [q | k | v]; gpt_neox: qkv = query_key_value (3C, in) whose rows
    // are per head [q_h | k_h | v_h]; llama: q, k, v separate.
    Matrix qkv, q, k, v, out;
    const TensorView *qkvBias = nullptr, *qBias = nullptr, *kBias = nullptr, *vBias = nullptr,
                     *outBias = nullptr;
    Matrix up, gate, down; // gate only for SwiGLU
    const TensorView *upBias = nullptr, *gateBias = nullptr, *downBias = nullptr;
};

struct HfWeights {
    const TensorView* embed = nullptr;     // (vocab, C)
    const TensorView* positions = nullptr; // (context, C), learned positions only
    std::vector<LayerWeights> layers;
    const TensorView *finalNorm = nullptr, *finalNormBias = nullptr;
    const TensorView* head = nullptr; // (vocab, C); the embedding when tied
};

class HfCheckpoint {
public:
    // Opens `folder`: throws attnscope::Error for a missing or damaged file, an unsupported architecture or a
    // tensor whose shape disagrees with config.json.
    explicit HfCheckpoint(const std::string& folder);

    const std::string& folder() const { return m_folder; }
    const HfConfig& config() const { return m_config; }
    const HfWeights& weights() const { return m_weights; }
    // The stored type of the weights ("F32", "F16", "BF16"; "mixed" when they differ).
    const std::string& dtype() const { return m_dtype; }
    std::int64_t parameterCount() const { return m_parameters; }
    std::size_t storedBytes() const; // sum of the mapped files' sizes

private:
    const TensorView* find(const std::string& name) const;
    const TensorView& require(const std::string& name, const std::vector<std::int64_t>& shape);
    const TensorView* optional(const std::string& name, const std::vector<std::int64_t>& shape);
    Matrix matrix(const std::string& name, int in, int out, Storage storage);
    void bind();

    std::string m_folder;
    HfConfig m_config;
    std::vector<std::unique_ptr<MappedSafeTensors>> m_files;
    std::map<std::string, const TensorView*> m_byName;
    std::string m_prefix;
    std::set<const TensorView*> m_used;
    HfWeights m_weights;
    std::string m_dtype;
    std::int64_t m_parameters = 0;
};

// The training step a checkpoint folder's name states: "step1000", "step_1000", "checkpoint-1000",
// "global_step1000", "rev-step1000" (the number after the last "step" or "checkpoint-"); nullopt otherwise.
std::optional<int> stepFromFolderName(const std::string& folder);

} // namespace attnscope::hf
