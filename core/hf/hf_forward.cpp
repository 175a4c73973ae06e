#include "core/hf/hf_forward.h"

#include "core/hf/hf_layers.h"
#include "core/hf/hf_linear.h"
#include "core/hf/hf_weight_metrics.h"
#include "core/nn/attention.h"
#include "core/nn/gelu.h"
#include "core/nn/gemm.h"
#include "core/nn/layernorm.h"
#include "core/nn/parallel.h"
#include "core/probe/map_metrics.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope::hf {

namespace {

using Buffer = std::vector<float>;

float rowNorm(const float* x, int n) {
    double acc = 0;
    for (int d = 0; d < n; ++d) acc += double(x[d]) * x[d];
    return float(std::sqrt(acc));
}

void activate(Activation a, float* u, long n) {
    switch (a) {
    case Activation::GeluTanh:
        nn::gelu_forward(u, u, n);
        break;
    case Activation::GeluErf:
        geluErf(u, n);
        break;
    case Activation::Relu:
        relu(u, n);
        break;
    case Activation::Silu:
        silu(u, n);
        break;
    }
}

void normalise(const HfConfig& c, float* y, const float* x, const TensorView* weight, const TensorView* bias,
               int T) {
    const Buffer w = vector32(weight), b = vector32(bias);
    if (c.rmsNorm()) {
        rmsnorm(y, x, w.data(), T, c.dModel, float(c.normEps));
    } else {
        Buffer mean(std::size_t(T), 0.0f), rstd(std::size_t(T), 0.0f);
        nn::layernorm_forward(y, mean.data(), rstd.data(), x, w.data(), b.empty() ? nullptr : b.data(), T,
                              c.dModel, float(c.normEps));
    }
}

// q (T, H·D) and k, v (T, KV·D) of one layer from its normalised input h.
void projectQkv(const HfConfig& c, const LayerWeights& L, const float* h, int T, Buffer& q, Buffer& k,
                Buffer& v) {
    const int H = c.heads, KV = c.kvHeads, D = c.headDim, C = c.dModel;
    q.assign(std::size_t(T) * H * D, 0), k.assign(std::size_t(T) * KV * D, 0), v.assign(k.size(), 0);
    if (c.family == Family::Llama) {
        linear(q.data(), H * D, h, T, L.q, L.qBias);
        linear(k.data(), KV * D, h, T, L.k, L.kBias);
        linear(v.data(), KV * D, h, T, L.v, L.vBias);
        return;
    }
    Buffer qkv(std::size_t(T) * 3 * C);
    linear(qkv.data(), 3 * C, h, T, L.qkv, L.qkvBias);
    for (int i = 0; i < T; ++i) {
        const float* row = qkv.data() + std::size_t(i) * 3 * C;
        for (int hd = 0; hd < H; ++hd)
            for (int d = 0; d < D; ++d) {
                // GPT-2's c_attn: [q | k | v] across all heads; GPT-NeoX: per head [q_h | k_h | v_h]
                // (transformers' view(..., heads, 3 * head_size) then split).
                const bool neox = c.family == Family::GptNeoX;
                const std::size_t at = std::size_t(i) * C + std::size_t(hd) * D + d;
                q[at] = row[neox ? hd * 3 * D + d : hd * D + d];
                k[at] = row[neox ? hd * 3 * D + D + d : C + hd * D + d];
                v[at] = row[neox ? hd * 3 * D + 2 * D + d : 2 * C + hd * D + d];
            }
    }
}

// Key/value head of each query head (grouped-query attention: consecutive query heads share one).
Buffer expandHeads(const Buffer& kv, int T, int H, int KV, int D) {
    if (H == KV) return kv;
    Buffer out(std::size_t(T) * H * D);
    const int group = H / KV;
    for (int i = 0; i < T; ++i)
        for (int h = 0; h < H; ++h)
            std::copy_n(kv.data() + std::size_t(i) * KV * D + std::size_t(h / group) * D, D,
                        out.data() + std::size_t(i) * H * D + std::size_t(h) * D);
    return out;
}

void mlp(const HfConfig& c, const LayerWeights& L, const float* h, int T, float* out) {
    const int F = c.ffn, C = c.dModel;
    Buffer up(std::size_t(T) * F);
    linear(up.data(), F, h, T, L.up, L.upBias);
    if (c.gatedMlp()) {
        // SwiGLU (Shazeer 2020, eq. 6): down(act(gate(h)) ⊙ up(h)).
        Buffer gate(std::size_t(T) * F);
        linear(gate.data(), F, h, T, L.gate, L.gateBias);
        activate(c.activation, gate.data(), long(gate.size()));
        for (std::size_t i = 0; i < up.size(); ++i) up[i] *= gate[i];
    } else {
        activate(c.activation, up.data(), long(up.size()));
    }
    linear(out, C, up.data(), T, L.down, L.downBias);
}

// The probe's record of one layer: maps, content logits q·k/√d, value norms ‖v_j^h W_o^h‖ (wo: (H·D, C)).
void recordAttention(ProbeSnapshot& s, int layer, const nn::AttentionLayout& layout, const Buffer& probs,
                     const Buffer& q, const Buffer& kx, const Buffer& vx, const Buffer& wo, int C) {
    const int T = layout.shape().T, H = layout.shape().H, D = layout.shape().D;
    const std::size_t TT = std::size_t(T) * T;
    const float scale = 1.0f / std::sqrt(float(D));
    nn::parallelChunks(H, 1, [&](std::ptrdiff_t hd, std::ptrdiff_t) {
        const std::size_t idx = s.headIndex(layer, int(hd));
        float* A = s.attention.data() + idx * TT;
        float* Z = s.logits.data() + idx * TT;
        nn::attention_dense(A, probs.data(), layout, 0, int(hd));
        Buffer full(TT), values(std::size_t(T) * C);
        nn::gemm<float>(false, true, T, T, D, scale, q.data() + hd * D, H * D, kx.data() + hd * D, H * D,
                        0.0f, full.data(), T);
        for (int i = 0; i < T; ++i)
            std::copy_n(full.data() + std::size_t(i) * T, i + 1, Z + std::size_t(i) * T);
        nn::gemm<float>(false, false, T, C, D, 1.0f, vx.data() + hd * D, H * D, wo.data() + hd * D * C, C,
                        0.0f, values.data(), C);
        for (int j = 0; j < T; ++j) s.valueNorm[idx * T + j] = rowNorm(values.data() + std::size_t(j) * C, C);
    });
}

} // namespace

int probeLimit(const HfConfig& config) {
    return config.slidingWindow > 0 ? std::min(config.context, config.slidingWindow) : config.context;
}

void checkProbe(const HfConfig& c, const std::vector<std::int32_t>& tokens) {
    const int T = int(tokens.size());
    if (T == 0) throw Error("Nothing to probe: the text has no tokens.");
    if (T > probeLimit(c))
        throw Error("The model takes at most " + std::to_string(probeLimit(c)) + " tokens" +
                    (c.slidingWindow > 0 && c.slidingWindow < c.context
                         ? " (its sliding attention window; longer probes are not computed)"
                         : "") +
                    "; the probe has " + std::to_string(T) + ".");
    for (std::int32_t t : tokens)
        if (t < 0 || t >= c.vocab)
            throw Error("Token id " + std::to_string(t) + " is outside the model's vocabulary of " +
                        std::to_string(c.vocab) + ".");
}

namespace {
// A recorded probe and what its predictions are made from: the output logits (T, V) and their log-sum-exp.
struct RecordedProbe {
    std::shared_ptr<ProbeSnapshot> snapshot;
    std::unique_ptr<float[]> logits;
    Buffer logZ;
};

RecordedProbe recordProbe(const HfCheckpoint& model, const std::vector<std::int32_t>& tokens, int step) {
    const HfConfig& c = model.config();
    checkProbe(c, tokens);
    const int T = int(tokens.size()), L = c.layers, H = c.heads, V = c.vocab;
    RecordedProbe r;
    auto& s = r.snapshot = std::make_shared<ProbeSnapshot>();
    s->step = step, s->layers = L, s->heads = H, s->length = T, s->tokens = tokens;
    const std::size_t LH = std::size_t(L) * H, TT = std::size_t(T) * T;
    s->attention.assign(LH * TT, 0.0f);
    s->logits.assign(LH * TT, std::numeric_limits<float>::quiet_NaN());
    s->valueNorm.assign(LH * T, 0.0f);
    s->residualNorm.assign(std::size_t(L + 1) * T, 0.0f);
    for (auto* v : {&s->sigmaQK, &s->sigmaQ, &s->sigmaK, &s->entropyBound}) v->assign(LH, 0.0f);
    r.logits = forwardHfModel(model, tokens, s.get());
    r.logZ.assign(std::size_t(T), 0.0f);
    nn::parallelChunks(T, 8, [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
        for (std::ptrdiff_t i = begin; i < end; ++i) {
            const float* row = r.logits.get() + std::size_t(i) * V;
            const float m = *std::max_element(row, row + V);
            double sum = 0; // float exp (as the engine's cross-entropy), summed in double
            for (int j = 0; j < V; ++j) sum += double(std::exp(row[j] - m));
            r.logZ[std::size_t(i)] = m + float(std::log(sum));
        }
    });
    MapMetricInputs metricInputs;
    metricInputs.outputLogits = r.logits.get(), metricInputs.logZ = r.logZ.data(), metricInputs.vocab = V;
    computeMapMetrics(*s, metricInputs);
    return r;
}
} // namespace

TextProbeResult probeHfModel(const HfCheckpoint& model, const std::vector<std::int32_t>& tokens, int step) {
    RecordedProbe r = recordProbe(model, tokens, step);
    return textProbeResult(std::move(r.snapshot), r.logits.get(), r.logZ.data(), model.config().vocab, tokens,
                           step);
}

SnapshotPtr snapshotHfModel(const HfCheckpoint& model, const std::vector<std::int32_t>& tokens, int step) {
    return recordProbe(model, tokens, step).snapshot;
}

std::unique_ptr<float[]> forwardHfModel(const HfCheckpoint& model, const std::vector<std::int32_t>& tokens,
                                        ProbeSnapshot* s) {
    const HfConfig& c = model.config();
    const HfWeights& W = model.weights();
    checkProbe(c, tokens);
    const int T = int(tokens.size()), C = c.dModel, H = c.heads, KV = c.kvHeads, D = c.headDim, L = c.layers,
              V = c.vocab;
    Buffer x(std::size_t(T) * C), h(x.size()), attnOut(x.size()), mlpOut(x.size());
    for (int i = 0; i < T; ++i) {
        float* xi = x.data() + std::size_t(i) * C;
        W.embed->toFloat32(std::int64_t(tokens[std::size_t(i)]) * C, C, xi);
        if (W.positions) {
            Buffer p(std::size_t(C), 0.0f);
            W.positions->toFloat32(std::int64_t(i) * C, C, p.data());
            for (int d = 0; d < C; ++d) xi[d] += p[std::size_t(d)];
        }
    }
    const nn::AttentionLayout layout({1, T, H, D}, std::vector<nn::HeadSpec>(std::size_t(H)));
    Buffer q, k, v, probs(layout.size()), att(std::size_t(T) * H * D);
    for (int l = 0; l < L; ++l) {
        const LayerWeights& lw = W.layers[std::size_t(l)];
        if (s)
            for (int i = 0; i < T; ++i)
                s->residualNorm[std::size_t(l) * T + i] = rowNorm(x.data() + std::size_t(i) * C, C);
        normalise(c, h.data(), x.data(), lw.norm1, lw.norm1Bias, T);
        projectQkv(c, lw, h.data(), T, q, k, v);
        if (c.rotary()) {
            rotateHalf(q.data(), H * D, T, H, D, c.rotaryDims, c.rotaryBase);
            rotateHalf(k.data(), KV * D, T, KV, D, c.rotaryDims, c.rotaryBase);
        }
        const Buffer kx = expandHeads(k, T, H, KV, D), vx = expandHeads(v, T, H, KV, D);
        nn::attention_forward(att.data(), probs.data(), q.data(), kx.data(), vx.data(), layout);
        linear(attnOut.data(), C, att.data(), T, lw.out, lw.outBias);

        if (s) {
            recordAttention(*s, l, layout, probs, q, kx, vx, denseInOut(lw.out), C);
            recordWeightMetrics(*s, l, model, h.data(), T);
        }

        if (c.parallelResidual) {
            // GPT-NeoX with use_parallel_residual: x + attn(ln1(x)) + mlp(ln2(x)).
            normalise(c, h.data(), x.data(), lw.norm2, lw.norm2Bias, T);
            mlp(c, lw, h.data(), T, mlpOut.data());
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = mlpOut[i] + attnOut[i] + x[i];
        } else {
            for (std::size_t i = 0; i < x.size(); ++i) x[i] += attnOut[i];
            normalise(c, h.data(), x.data(), lw.norm2, lw.norm2Bias, T);
            mlp(c, lw, h.data(), T, mlpOut.data());
            for (std::size_t i = 0; i < x.size(); ++i) x[i] += mlpOut[i];
        }
    }
    if (s)
        for (int i = 0; i < T; ++i)
            s->residualNorm[std::size_t(L) * T + i] = rowNorm(x.data() + std::size_t(i) * C, C);
    normalise(c, h.data(), x.data(), W.finalNorm, W.finalNormBias, T);
    auto logits = std::make_unique_for_overwrite<float[]>(std::size_t(T) * V);
    linear(logits.get(), V, h.data(), T, Matrix{W.head, C, V, Storage::OutIn}, nullptr);
    return logits;
}

} // namespace attnscope::hf
