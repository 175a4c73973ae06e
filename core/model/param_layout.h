#pragma once
// Where every parameter tensor lives in the one flat parameter buffer (and, at the same offsets, in the
// gradient and AdamW moment buffers). Built from a ModelConfig; names are stable and used in checkpoints.
#include "core/model/config.h"

#include <cstddef>
#include <string>
#include <vector>

namespace attnscope {

struct TensorInfo {
    std::string name; // e.g. "wte", "l0.attn.qkv.w", "l1.vres.lambda", "l0.attn.qkv.gamma"
    std::size_t offset = 0;
    int rows = 1, cols = 1; // 1-D tensors have rows == 1
    bool decay = false;     // AdamW weight decay applies (matrices and embeddings only)
    std::size_t size() const { return std::size_t(rows) * cols; }
};

// A σReparam group: a column block [col0, col0+cols) of a weight tensor with its own σ and γ (§5.1).
struct SigmaGroup {
    std::string name; // "l0.attn.qkv", "l0.attn.q", "l0.mlp.fc", "lm_head", ...
    int tensor = -1;  // index of the weight in ParamLayout::tensors
    int col0 = 0, cols = 0;
    int gamma = -1; // index of the γ scalar tensor
};

struct LayerParams {
    int ln1g, ln1b, qkvW, qkvB, qnG = -1, knG = -1, projW, projB, ln2g, ln2b, fcW, fcB, fc2W, fc2B;
    int lambda = -1; // Learnable value residual: 2 scalars (λ1, λ2)
    int qkvCols = 0; // 3C, or 2C for SVFormer layers ≥ 2 (no value projection)
};

struct ParamLayout {
    std::vector<TensorInfo> tensors;
    std::vector<LayerParams> layers;
    std::vector<SigmaGroup> sigmaGroups;
    int wte = -1, wpe = -1, lnfG = -1, lnfB = -1, lmHead = -1;
    std::size_t total = 0;

    explicit ParamLayout(const ModelConfig& c);
    ParamLayout() = default;
    int find(const std::string& name) const; // −1 if absent
};

} // namespace attnscope
