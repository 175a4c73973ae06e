#include "core/model/param_layout.h"

namespace attnscope {

namespace {
// Built with += rather than "l" + to_string(l): GCC 12 raises a false -Wrestrict on the latter.
std::string layerPrefix(int layer) {
    std::string p = "l";
    p += std::to_string(layer);
    p += '.';
    return p;
}
} // namespace

ParamLayout::ParamLayout(const ModelConfig& c) {
    auto add = [&](const std::string& name, int rows, int cols, bool decay) {
        tensors.push_back({name, total, rows, cols, decay});
        // Every tensor starts on a 64-byte boundary (16 floats; also a multiple for doubles' 8).
        total += (std::size_t(rows) * cols + 15) / 16 * 16;
        return int(tensors.size()) - 1;
    };
    const int C = c.dModel, D = c.headDim(), F = c.ffnDim();
    wte = add("wte", c.vocab, C, true);
    if (c.position == PositionScheme::Learned) wpe = add("wpe", c.context, C, true);
    for (int l = 0; l < c.layers; ++l) {
        const std::string p = layerPrefix(l);
        LayerParams lp{};
        lp.qkvCols = c.hasValueProjection(l) ? 3 * C : 2 * C;
        lp.ln1g = add(p + "ln1.g", 1, C, false);
        lp.ln1b = add(p + "ln1.b", 1, C, false);
        lp.qkvW = add(p + "attn.qkv.w", C, lp.qkvCols, true);
        lp.qkvB = add(p + "attn.qkv.b", 1, lp.qkvCols, false);
        if (c.qkNorm) {
            lp.qnG = add(p + "attn.qnorm.g", 1, D, false);
            lp.knG = add(p + "attn.knorm.g", 1, D, false);
        }
        lp.projW = add(p + "attn.proj.w", C, C, true);
        lp.projB = add(p + "attn.proj.b", 1, C, false);
        lp.ln2g = add(p + "ln2.g", 1, C, false);
        lp.ln2b = add(p + "ln2.b", 1, C, false);
        lp.fcW = add(p + "mlp.fc.w", C, F, true);
        lp.fcB = add(p + "mlp.fc.b", 1, F, false);
        lp.fc2W = add(p + "mlp.proj.w", F, C, true);
        lp.fc2B = add(p + "mlp.proj.b", 1, C, false);
        if (c.valueResidual == ValueResidual::Learnable && l > 0)
            lp.lambda = add(p + "vres.lambda", 1, 2, false);
        layers.push_back(lp);
    }
    lnfG = add("lnf.g", 1, C, false);
    lnfB = add("lnf.b", 1, C, false);
    if (!c.tiedHead) lmHead = add("lm_head.w", C, c.vocab, true);

    if (c.sigmaReparam != SigmaReparam::Off) {
        // γ is a scalar per group with no weight decay (§5.2): the loss is invariant to W's scale, so all
        // scale lives in γ.
        auto group = [&](const std::string& name, int tensor, int col0, int cols) {
            const int gamma = add(name + ".gamma", 1, 1, false);
            sigmaGroups.push_back({name, tensor, col0, cols, gamma});
        };
        for (int l = 0; l < c.layers; ++l) {
            const std::string p = layerPrefix(l);
            const LayerParams& lp = layers[l];
            if (c.sigmaReparam == SigmaReparam::Fused) {
                group(p + "attn.qkv", lp.qkvW, 0, lp.qkvCols);
            } else {
                group(p + "attn.q", lp.qkvW, 0, C);
                group(p + "attn.k", lp.qkvW, C, C);
                if (lp.qkvCols == 3 * C) group(p + "attn.v", lp.qkvW, 2 * C, C);
            }
            group(p + "attn.proj", lp.projW, 0, C);
            group(p + "mlp.fc", lp.fcW, 0, F);
            group(p + "mlp.proj", lp.fc2W, 0, C);
        }
        if (lmHead >= 0) group("lm_head", lmHead, 0, c.vocab);
    }
}

int ParamLayout::find(const std::string& name) const {
    for (std::size_t i = 0; i < tensors.size(); ++i)
        if (tensors[i].name == name) return int(i);
    return -1;
}

} // namespace attnscope
