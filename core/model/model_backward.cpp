// Backward pass of Model<T>: the exact gradient of forward()'s loss (CE + z-loss), layer by layer in reverse,
// each op's backward from core/nn.
#include "core/model/model.h"

#include "core/nn/attention.h"
#include "core/nn/cross_entropy.h"
#include "core/nn/embedding.h"
#include "core/nn/gelu.h"
#include "core/nn/layernorm.h"
#include "core/nn/parallel.h"
#include "core/nn/rope.h"
#include "core/nn/sigma_reparam.h"

namespace attnscope {

using nn::MatrixRef;

namespace {
template <typename T> double frobenius(const T* a, const T* b, std::ptrdiff_t n) {
    return nn::parallelSum(n, 16384, [&](std::ptrdiff_t s, std::ptrdiff_t e) {
        double acc = 0;
        for (std::ptrdiff_t i = s; i < e; ++i) acc += double(a[i]) * double(b[i]);
        return acc;
    });
}
} // namespace

template <typename T> void Model<T>::backwardLayer(Workspace<T>& ws, int l) {
    const ModelConfig& c = m_config;
    const LayerParams& lp = m_layout.layers[l];
    auto& L = ws.layers[l];
    const int C = c.dModel, H = c.heads, D = c.headDim(), F = c.ffnDim();
    const int N = int(ws.N);
    auto rowsOf = [&](T* p, int cols) { return MatrixRef<T>{p, N, cols, cols}; };
    auto crowsOf = [&](const T* p, int cols) { return MatrixRef<const T>{p, N, cols, cols}; };

    // ws.dx holds ∂L/∂(layer output). MLP branch: out = xMid + fc2(gelu(fc(ln2(xMid)))).
    {
        auto dfc = rowsOf(ws.dfc, F);
        auto dfc2W = gradBlock(lp.fc2W, 0, C);
        // GELU' is applied to each row block of dfc as soon as the GEMM has produced it (linear.h).
        nn::linear_backward(&dfc, &dfc2W, gradient(lp.fc2B), crowsOf(ws.dx, C), crowsOf(L.gelu, F),
                            weightBlock(lp.fc2W, 0, C), false, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
                                T* rows = ws.dfc + r0 * F;
                                nn::gelu_backward_span(rows, rows, L.fc + r0 * F, long(r1 - r0) * F);
                            });
        auto dln = rowsOf(ws.dln, C);
        auto dfcW = gradBlock(lp.fcW, 0, F);
        nn::linear_backward(&dln, &dfcW, gradient(lp.fcB), crowsOf(ws.dfc, F), crowsOf(L.ln2, C),
                            weightBlock(lp.fcW, 0, F), false);
        nn::layernorm_backward(ws.dx, gradient(lp.ln2g), gradient(lp.ln2b), ws.dln, L.xMid, weight(lp.ln2g),
                               L.ln2Mean, L.ln2Rstd, N, C, true);
    }
    // Attention branch: xMid = xIn + proj(attention(q, k, v)).
    auto dAtt = rowsOf(ws.dAtt, C);
    auto dprojW = gradBlock(lp.projW, 0, C);
    nn::linear_backward(&dAtt, &dprojW, gradient(lp.projB), crowsOf(ws.dx, C), crowsOf(L.attOut, C),
                        weightBlock(lp.projW, 0, C), false);
    // Gradients w.r.t. what attention consumed: q, k after norm/RoPE, and the values it attended to.
    nn::attention_backward(ws.dq, ws.dk, ws.dvAtt, ws.dAtt, L.attOut, L.probs, L.qr, L.kr, L.vAtt,
                           ws.attention);
    if (c.position == PositionScheme::Rope) {
        nn::rope_apply(ws.dqPre, ws.dq, ws.ropeCos, ws.ropeSin, ws.B, ws.Tlen, H, D, -1);
        nn::rope_apply(ws.dkPre, ws.dk, ws.ropeCos, ws.ropeSin, ws.B, ws.Tlen, H, D, -1);
        std::swap(ws.dq, ws.dqPre), std::swap(ws.dk, ws.dkPre);
    }
    if (c.qkNorm) {
        nn::layernorm_backward(ws.dqPre, gradient(lp.qnG), static_cast<T*>(nullptr), ws.dq, L.q,
                               weight(lp.qnG), L.qnMean, L.qnRstd, N * H, D, false);
        nn::layernorm_backward(ws.dkPre, gradient(lp.knG), static_cast<T*>(nullptr), ws.dk, L.k,
                               weight(lp.knG), L.knMean, L.knRstd, N * H, D, false);
        std::swap(ws.dq, ws.dqPre), std::swap(ws.dk, ws.dkPre);
    }
    // Value path (§4.2): ResFormer splits dV' into λ2·dV_n and λ1·dV_1 (accumulated until layer 1);
    // SVFormer sends all of it to V_1.
    const std::ptrdiff_t NC = std::ptrdiff_t(N) * C;
    const T* dvOwn = nullptr;
    if (l == 0) {
        if (c.valueResidual != ValueResidual::Off)
            nn::parallelChunks(NC, 8192, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
                for (std::ptrdiff_t i = b; i < e; ++i) ws.dvAtt[i] += ws.dv1[i];
            });
        dvOwn = ws.dvAtt;
    } else if (c.valueResidual == ValueResidual::SVFormer) {
        nn::parallelChunks(NC, 8192, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
            for (std::ptrdiff_t i = b; i < e; ++i) ws.dv1[i] += ws.dvAtt[i];
        });
    } else if (c.usesValueMix()) {
        // Plain copies: the lambdas below capture them (clang 14 cannot capture structured bindings).
        const auto mix = lambdas(l);
        const auto l1 = mix.first, l2 = mix.second;
        if (lp.lambda >= 0) {
            gradient(lp.lambda)[0] += T(frobenius(ws.dvAtt, ws.layers[0].v, NC));
            gradient(lp.lambda)[1] += T(frobenius(ws.dvAtt, L.v, NC));
        }
        nn::parallelChunks(NC, 8192, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
            for (std::ptrdiff_t i = b; i < e; ++i) {
                ws.dv1[i] += l1 * ws.dvAtt[i];
                ws.dv[i] = l2 * ws.dvAtt[i];
            }
        });
        dvOwn = ws.dv;
    } else {
        dvOwn = ws.dvAtt;
    }
    // Projections: dln1 = dq Wqᵀ + dk Wkᵀ (+ dv Wvᵀ), with the weight and bias gradients, in one job.
    T* qkvBiasGrad = gradient(lp.qkvB);
    auto dln = rowsOf(ws.dln, C);
    auto dWq = gradBlock(lp.qkvW, 0, C), dWk = gradBlock(lp.qkvW, C, C), dWv = gradBlock(lp.qkvW, 2 * C, C);
    std::vector<nn::LinearGrad<T>> qkv{
        {crowsOf(ws.dq, C), weightBlock(lp.qkvW, 0, C), &dWq, qkvBiasGrad},
        {crowsOf(ws.dk, C), weightBlock(lp.qkvW, C, C), &dWk, qkvBiasGrad + C}};
    if (L.v) qkv.push_back({crowsOf(dvOwn, C), weightBlock(lp.qkvW, 2 * C, C), &dWv, qkvBiasGrad + 2 * C});
    nn::linear_backward_shared(&dln, false, crowsOf(L.ln1, C), qkv);
    nn::layernorm_backward(ws.dx, gradient(lp.ln1g), gradient(lp.ln1b), ws.dln, L.xIn, weight(lp.ln1g),
                           L.ln1Mean, L.ln1Rstd, N, C, true);
}

template <typename T> void Model<T>::backward(Workspace<T>& ws) {
    const ModelConfig& c = m_config;
    const int C = c.dModel, V = c.vocab, N = int(ws.N);
    std::fill(grads.begin(), grads.end(), T(0));
    nn::cross_entropy_backward(ws.dlogits, ws.logits, ws.logZ, ws.targets.data(), ws.N, V, ws.scored,
                               c.zLoss);
    const MatrixRef<const T> dlogits{ws.dlogits, N, V, V};
    const MatrixRef<const T> lnf{ws.lnf, N, C, C};
    MatrixRef<T> dln{ws.dln, N, C, C};
    if (m_layout.lmHead >= 0) {
        auto dW = gradBlock(m_layout.lmHead, 0, V);
        nn::linear_backward(&dln, &dW, static_cast<T*>(nullptr), dlogits, lnf,
                            weightBlock(m_layout.lmHead, 0, V), false);
    } else {
        MatrixRef<T> dE{gradient(m_layout.wte), V, C, C};
        nn::linear_backward_transposed(&dln, &dE, dlogits, lnf,
                                       MatrixRef<const T>{weight(m_layout.wte), V, C, C});
    }
    nn::layernorm_backward(ws.dx, gradient(m_layout.lnfG), gradient(m_layout.lnfB), ws.dln, ws.xFinal,
                           weight(m_layout.lnfG), ws.lnfMean, ws.lnfRstd, N, C, false);
    if (c.valueResidual != ValueResidual::Off) std::fill(ws.dv1, ws.dv1 + std::ptrdiff_t(N) * C, T(0));
    for (int l = c.layers - 1; l >= 0; --l) backwardLayer(ws, l);
    nn::embedding_backward(gradient(m_layout.wte), m_layout.wpe >= 0 ? gradient(m_layout.wpe) : nullptr,
                           ws.dx, ws.inputs.data(), ws.B, ws.Tlen, C);
    // σReparam: the weight gradients above are ∂L/∂Ŵ; turn them into ∂L/∂W and ∂L/∂γ (§5.2).
    for (std::size_t g = 0; g < m_layout.sigmaGroups.size(); ++g) {
        const SigmaGroup& sg = m_layout.sigmaGroups[g];
        const TensorInfo& ti = m_layout.tensors[sg.tensor];
        const MatrixRef<const T> raw{params.data() + ti.offset + sg.col0, ti.rows, sg.cols, ti.cols};
        gradient(sg.gamma)[0] +=
            nn::sigma_backward(gradBlock(sg.tensor, sg.col0, sg.cols), raw, sigmaLeft[g].data(),
                               sigmaRight[g].data(), tensor(sg.gamma)[0], sigmaValue[g]);
    }
}

// Model<T> is instantiated in model.cpp; the members defined here are instantiated explicitly.
template void Model<float>::backward(Workspace<float>&);
template void Model<double>::backward(Workspace<double>&);
template void Model<float>::backwardLayer(Workspace<float>&, int);
template void Model<double>::backwardLayer(Workspace<double>&, int);

} // namespace attnscope
