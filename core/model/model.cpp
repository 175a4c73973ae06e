#include "core/model/model.h"

#include "core/nn/attention.h"
#include "core/nn/cross_entropy.h"
#include "core/nn/embedding.h"
#include "core/nn/gelu.h"
#include "core/nn/layernorm.h"
#include "core/nn/parallel.h"
#include "core/nn/rope.h"
#include "core/nn/sigma_reparam.h"
#include "core/util/error.h"

#include <cmath>

namespace attnscope {

using nn::MatrixRef;

template <typename T> Model<T>::Model(const ModelConfig& config) : m_config(config) {
    const auto errors = config.validate();
    if (!errors.empty()) {
        std::string message = "Invalid model configuration:";
        for (const auto& e : errors) message += " " + e;
        throw Error(message);
    }
    m_layout = ParamLayout(config);
    params.assign(m_layout.total, T(0));
    grads.assign(m_layout.total, T(0));
    m_sigmaOn = !m_layout.sigmaGroups.empty();
    for (const SigmaGroup& g : m_layout.sigmaGroups) {
        sigmaLeft.emplace_back(m_layout.tensors[g.tensor].rows, T(0));
        sigmaRight.emplace_back(g.cols, T(0));
    }
    sigmaValue.assign(m_layout.sigmaGroups.size(), T(1));
    if (m_sigmaOn) m_effective.assign(m_layout.total, T(0));
}

template <typename T> void Model<T>::initialize(Rng& rng) {
    const ModelConfig& c = m_config;
    const double residualStd = c.initStd / std::sqrt(2.0 * c.layers); // GPT-2 scaled residual projections
    auto normal = [&](int index, double stddev) {
        T* p = tensor(index);
        for (std::size_t i = 0; i < m_layout.tensors[index].size(); ++i) p[i] = T(stddev * rng.normal());
    };
    auto fill = [&](int index, double value) {
        T* p = tensor(index);
        for (std::size_t i = 0; i < m_layout.tensors[index].size(); ++i) p[i] = T(value);
    };
    std::fill(params.begin(), params.end(), T(0));
    normal(m_layout.wte, c.initStd);
    if (m_layout.wpe >= 0) normal(m_layout.wpe, c.initStd);
    for (const LayerParams& lp : m_layout.layers) {
        fill(lp.ln1g, 1), fill(lp.ln2g, 1);
        normal(lp.qkvW, c.initStd);
        if (lp.qnG >= 0) fill(lp.qnG, 1), fill(lp.knG, 1);
        normal(lp.projW, residualStd);
        normal(lp.fcW, c.initStd);
        normal(lp.fc2W, residualStd);
        if (lp.lambda >= 0) tensor(lp.lambda)[0] = T(c.lambda1), tensor(lp.lambda)[1] = T(c.lambda2);
    }
    fill(m_layout.lnfG, 1);
    if (m_layout.lmHead >= 0) normal(m_layout.lmHead, c.initStd);
    for (std::size_t g = 0; g < m_layout.sigmaGroups.size(); ++g) {
        const SigmaGroup& sg = m_layout.sigmaGroups[g];
        const TensorInfo& ti = m_layout.tensors[sg.tensor];
        const MatrixRef<const T> raw{params.data() + ti.offset + sg.col0, ti.rows, sg.cols, ti.cols};
        sigmaValue[g] = nn::sigma_init_svd(raw, sigmaLeft[g].data(), sigmaRight[g].data());
        tensor(sg.gamma)[0] = c.gammaInit == GammaInit::Sigma0 ? sigmaValue[g] : T(1);
    }
    std::fill(grads.begin(), grads.end(), T(0));
}

template <typename T> void Model<T>::sigmaPowerStep() {
    for (std::size_t g = 0; g < m_layout.sigmaGroups.size(); ++g) {
        const SigmaGroup& sg = m_layout.sigmaGroups[g];
        const TensorInfo& ti = m_layout.tensors[sg.tensor];
        const MatrixRef<const T> raw{params.data() + ti.offset + sg.col0, ti.rows, sg.cols, ti.cols};
        sigmaValue[g] = nn::sigma_power_step(raw, sigmaLeft[g].data(), sigmaRight[g].data());
    }
}

template <typename T> void Model<T>::refreshEffectiveWeights() {
    if (!m_sigmaOn) return;
    std::copy(params.begin(), params.end(), m_effective.begin());
    for (std::size_t g = 0; g < m_layout.sigmaGroups.size(); ++g) {
        const SigmaGroup& sg = m_layout.sigmaGroups[g];
        const TensorInfo& ti = m_layout.tensors[sg.tensor];
        const MatrixRef<const T> raw{params.data() + ti.offset + sg.col0, ti.rows, sg.cols, ti.cols};
        if (m_mode == ForwardMode::Training) {
            // σ = aᵀWb with the stored vectors (the power step that updates them runs once per training
            // step).
            sigmaValue[g] = nn::sigma_estimate(raw, sigmaLeft[g].data(), sigmaRight[g].data());
        } else {
            // Evaluation: one more power step on copies; the stored vectors stay as training left them.
            std::vector<T> a = sigmaLeft[g], b = sigmaRight[g];
            sigmaValue[g] = nn::sigma_power_step(raw, a.data(), b.data());
        }
        MatrixRef<T> eff{m_effective.data() + ti.offset + sg.col0, ti.rows, sg.cols, ti.cols};
        nn::sigma_effective(eff, raw, tensor(sg.gamma)[0], sigmaValue[g]);
    }
}

template <typename T> MatrixRef<const T> Model<T>::weightBlock(int index, int col0, int cols) const {
    const TensorInfo& ti = m_layout.tensors[index];
    return {weight(index) + col0, ti.rows, cols, ti.cols};
}

template <typename T> MatrixRef<T> Model<T>::gradBlock(int index, int col0, int cols) {
    const TensorInfo& ti = m_layout.tensors[index];
    return {grads.data() + ti.offset + col0, ti.rows, cols, ti.cols};
}

template <typename T> std::pair<T, T> Model<T>::lambdas(int layer) const {
    switch (m_config.valueResidual) {
    case ValueResidual::Identity:
        return {T(0.5), T(0.5)};
    case ValueResidual::Constant:
        return {T(m_config.lambda1), T(m_config.lambda2)};
    case ValueResidual::Learnable: {
        const T* p = tensor(m_layout.layers[layer].lambda);
        return {p[0], p[1]};
    }
    default:
        return {T(0), T(1)};
    }
}

template <typename T> void Model<T>::forwardLayer(Workspace<T>& ws, int l) {
    const ModelConfig& c = m_config;
    const LayerParams& lp = m_layout.layers[l];
    auto& L = ws.layers[l];
    const int C = c.dModel, H = c.heads, D = c.headDim(), F = c.ffnDim();
    const long N = ws.N;
    const T eps = T(c.layerNormEps);
    auto rowsOf = [&](T* p, int cols) { return MatrixRef<T>{p, int(N), cols, cols}; };
    auto crowsOf = [&](const T* p, int cols) { return MatrixRef<const T>{p, int(N), cols, cols}; };

    nn::layernorm_forward(L.ln1, L.ln1Mean, L.ln1Rstd, L.xIn, weight(lp.ln1g), weight(lp.ln1b), int(N), C,
                          eps);
    const T* qkvBias = weight(lp.qkvB);
    // q, k (and v) from the shared input in one parallel job.
    std::vector<nn::LinearOut<T>> qkv{{rowsOf(L.q, C), weightBlock(lp.qkvW, 0, C), qkvBias},
                                      {rowsOf(L.k, C), weightBlock(lp.qkvW, C, C), qkvBias + C}};
    if (L.v) qkv.push_back({rowsOf(L.v, C), weightBlock(lp.qkvW, 2 * C, C), qkvBias + 2 * C});
    nn::linear_forward_shared(crowsOf(L.ln1, C), qkv);
    if (c.qkNorm) {
        // Per-head LayerNorm over D with a gain shared across heads and no bias (Dehghani et al.; §6.1).
        nn::layernorm_forward(L.qn, L.qnMean, L.qnRstd, L.q, weight(lp.qnG), static_cast<const T*>(nullptr),
                              int(N) * H, D, eps);
        nn::layernorm_forward(L.kn, L.knMean, L.knRstd, L.k, weight(lp.knG), static_cast<const T*>(nullptr),
                              int(N) * H, D, eps);
    }
    if (c.position == PositionScheme::Rope) {
        nn::rope_apply(L.qr, L.qn, ws.ropeCos, ws.ropeSin, ws.B, ws.Tlen, H, D, +1);
        nn::rope_apply(L.kr, L.kn, ws.ropeCos, ws.ropeSin, ws.B, ws.Tlen, H, D, +1);
    }
    if (c.usesValueMix() && l > 0) {
        // ResFormer (Zhou et al., official code): V'_n = λ1·V_1 + λ2·V_n on the projected values.
        // Plain copies: the lambdas below capture them (clang 14 cannot capture structured bindings).
        const auto mix = lambdas(l);
        const auto l1 = mix.first, l2 = mix.second;
        const T* v1 = ws.layers[0].v;
        nn::parallelChunks(N * C, 8192, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
            for (std::ptrdiff_t i = b; i < e; ++i) L.vAtt[i] = l1 * v1[i] + l2 * L.v[i];
        });
    }
    nn::attention_forward(L.attOut, L.probs, L.qr, L.kr, L.vAtt, ws.attention);
    // Residual adds and GELU ride on the GEMMs (linear.h): xMid = xIn + b + attOut·W, xOut = xMid + b + g·W2.
    nn::linear_forward(rowsOf(L.xMid, C), crowsOf(L.attOut, C), weightBlock(lp.projW, 0, C), weight(lp.projB),
                       L.xIn);
    nn::layernorm_forward(L.ln2, L.ln2Mean, L.ln2Rstd, L.xMid, weight(lp.ln2g), weight(lp.ln2b), int(N), C,
                          eps);
    nn::linear_forward(rowsOf(L.fc, F), crowsOf(L.ln2, C), weightBlock(lp.fcW, 0, F), weight(lp.fcB),
                       static_cast<const T*>(nullptr), [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
                           nn::gelu_forward_span(L.gelu + r0 * F, L.fc + r0 * F, long(r1 - r0) * F);
                       });
    T* xOut = l + 1 < c.layers ? ws.layers[l + 1].xIn : ws.xFinal;
    nn::linear_forward(rowsOf(xOut, C), crowsOf(L.gelu, F), weightBlock(lp.fc2W, 0, C), weight(lp.fc2B),
                       static_cast<const T*>(L.xMid));
}

template <typename T>
double Model<T>::forward(Workspace<T>& ws, const std::int32_t* inputs, const std::int32_t* targets) {
    const ModelConfig& c = m_config;
    const int C = c.dModel, V = c.vocab;
    if (c.position == PositionScheme::Learned && ws.Tlen > c.context)
        throw Error("Learned position embeddings exist only for " + std::to_string(c.context) +
                    " positions; this model cannot run on " + std::to_string(ws.Tlen) + " tokens.");
    for (long i = 0; i < ws.N; ++i) {
        if (inputs[i] < 0 || inputs[i] >= V)
            throw Error("Token id " + std::to_string(inputs[i]) + " is outside the vocabulary (size " +
                        std::to_string(V) + ").");
        ws.inputs[i] = inputs[i];
        ws.targets[i] = targets ? targets[i] : -1;
    }
    refreshEffectiveWeights();
    const T* pos = m_layout.wpe >= 0 ? weight(m_layout.wpe) : ws.posTable;
    nn::embedding_forward(ws.layers[0].xIn, ws.inputs.data(), weight(m_layout.wte), pos, ws.B, ws.Tlen, C);
    for (int l = 0; l < c.layers; ++l) forwardLayer(ws, l);
    nn::layernorm_forward(ws.lnf, ws.lnfMean, ws.lnfRstd, ws.xFinal, weight(m_layout.lnfG),
                          weight(m_layout.lnfB), int(ws.N), C, T(c.layerNormEps));
    const MatrixRef<T> logits{ws.logits, int(ws.N), V, V};
    const MatrixRef<const T> lnf{ws.lnf, int(ws.N), C, C};
    if (m_layout.lmHead >= 0)
        nn::linear_forward(logits, lnf, weightBlock(m_layout.lmHead, 0, V), (const T*)nullptr);
    else
        nn::linear_forward_transposed(logits, lnf, MatrixRef<const T>{weight(m_layout.wte), V, C, C});
    const auto ce = nn::cross_entropy_forward(ws.logZ, ws.logits, ws.targets.data(), ws.N, V, c.zLoss);
    ws.scored = ce.scored;
    m_lastZLoss = ce.zLoss;
    return ce.loss;
}

template class Model<float>;
template class Model<double>;

} // namespace attnscope
