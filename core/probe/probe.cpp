#include "core/probe/probe.h"

#include "core/nn/attention.h"
#include "core/nn/parallel.h"
#include "core/probe/entropy_bound.h"
#include "core/probe/map_metrics.h"
#include "core/probe/metrics.h"

#include <Eigen/Core>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {
using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;
using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapF = Eigen::Map<const RowMatF, Eigen::Unaligned, Eigen::OuterStride<>>;

double powerIteration(const MatD& M, int iterations) {
    Eigen::VectorXd b = Eigen::VectorXd::Ones(M.cols()).normalized();
    double sigma = 0;
    for (int it = 0; it < iterations; ++it) {
        Eigen::VectorXd a = M * b;
        const double na = a.norm();
        if (na == 0) return 0;
        b = M.transpose() * (a / na);
        sigma = b.norm();
        if (sigma == 0) return 0;
        b /= sigma;
    }
    return sigma;
}
} // namespace

double spectralNorm(const float* data, int rows, int cols, int ld, int iterations) {
    const MatD M = MapF(data, rows, cols, Eigen::OuterStride<>(ld)).cast<double>();
    return powerIteration(M, iterations);
}

SnapshotPtr takeSnapshot(Model<float>& model, Workspace<float>& ws, const std::vector<std::int32_t>& probe,
                         int step, const ProbeExtras& extras, const InductionProbe* induction) {
    const ModelConfig& c = model.config();
    const int T = ws.Tlen, H = c.heads, D = c.headDim(), C = c.dModel, L = c.layers, V = c.vocab;
    // A probe is an evaluation: σReparam's σ takes its eval-time power step (model.h, ForwardMode).
    ForwardModeScope<float> evaluation(model, ForwardMode::Evaluation);
    model.forward(ws, probe.data(), nullptr);

    auto s = std::make_shared<ProbeSnapshot>();
    s->step = step;
    s->layers = L, s->heads = H, s->length = T;
    s->tokens = probe;
    const std::size_t LH = std::size_t(L) * H, TT = std::size_t(T) * T;
    for (auto* v : {&s->sigmaQK, &s->sigmaQ, &s->sigmaK, &s->entropyBound}) v->assign(LH, 0.0f);
    s->valueNorm.assign(LH * T, 0.0f);
    s->residualNorm.assign(std::size_t(L + 1) * T, 0.0f);
    auto rowNorm = [](const float* x, int n) {
        double acc = 0;
        for (int d = 0; d < n; ++d) acc += double(x[d]) * x[d];
        return float(std::sqrt(acc));
    };
    for (int l = 0; l <= L; ++l) {
        const float* x = l < L ? ws.layers[l].xIn : ws.xFinal;
        for (int i = 0; i < T; ++i)
            s->residualNorm[std::size_t(l) * T + i] = rowNorm(x + std::size_t(i) * C, C);
    }
    s->attention.assign(LH * TT, 0.0f);
    s->logits.assign(LH * TT, std::numeric_limits<float>::quiet_NaN());
    const float scale = 1.0f / std::sqrt(float(D));
    struct BoundLayer {
        int layer;
        const float* x;
        const float* qkv;
        int ldw;
        const float* qkvB;
    };
    std::vector<BoundLayer> boundLayers;
    for (int l = 0; l < L; ++l) {
        const auto& W = ws.layers[l];
        const LayerParams& lp = model.layout().layers[l];
        const float* qkv = model.weight(lp.qkvW);
        const int ldw = lp.qkvCols;
        // ‖XXᵀ‖₂ = σ_max(X)² of the layer's normalised input (Theorem 3.1's σ_x).
        const double sigmaX = spectralNorm(W.ln1, T, C, C);
        for (int h = 0; h < H; ++h) {
            const std::size_t idx = s->headIndex(l, h);
            float* A = s->attention.data() + idx * TT;
            float* Z = s->logits.data() + idx * TT;
            nn::attention_dense(A, W.probs, ws.attention, 0, h);
            const int window = ws.attention.heads()[h].window;
            for (int i = 0; i < T; ++i)
                for (int j = i - visibleKeys(i, window) + 1; j <= i; ++j) {
                    const float* qi = W.qr + std::size_t(i) * C + h * D;
                    const float* kj = W.kr + std::size_t(j) * C + h * D;
                    float dot = 0;
                    for (int d = 0; d < D; ++d) dot += qi[d] * kj[d];
                    Z[std::size_t(i) * T + j] = dot * scale;
                }
            // Value-state norm ‖v_j^h W_o^h‖ (W_o rows of head h): what key j adds to a query's output.
            const TensorInfo& proj = model.layout().tensors[lp.projW];
            const MapF Wo(model.weight(lp.projW) + std::size_t(h) * D * proj.cols, D, C,
                          Eigen::OuterStride<>(proj.cols));
            for (int j = 0; j < T; ++j) {
                const MapF vj(W.vAtt + std::size_t(j) * C + h * D, 1, D, Eigen::OuterStride<>(C));
                s->valueNorm[idx * T + j] = (vj * Wo).norm();
            }

            const MatD Wq = MapF(qkv + h * D, C, D, Eigen::OuterStride<>(ldw)).cast<double>();
            const MatD Wk = MapF(qkv + C + h * D, C, D, Eigen::OuterStride<>(ldw)).cast<double>();
            s->sigmaQ[idx] = float(powerIteration(Wq, 40));
            s->sigmaK[idx] = float(powerIteration(Wk, 40));
            const double sigmaQK = powerIteration(Wq * Wk.transpose(), 40);
            s->sigmaQK[idx] = float(sigmaQK);
            // Theorem 3.1 as the paper states it, for unmasked rows of T keys: kept as a reference value
            // (`entropy_bound`); it is not a bound for causal rows. QK-norm makes q, k non-linear in X, and
            // ReLU attention is no softmax.
            s->entropyBound[idx] = c.qkNorm || c.attention == AttentionFunction::Relu
                                       ? std::numeric_limits<float>::quiet_NaN()
                                       : float(entropyLowerBound(sigmaQK * scale * sigmaX * sigmaX, T));
        }
        // The per-row bound of every head (core/probe/entropy_bound.h). QK-norm and RoPE make the logits
        // non-bilinear in X and ReLU attention is no softmax: the theorem says nothing there, no value is
        // recorded.
        if (extras.entropyBounds && !c.qkNorm && c.position != PositionScheme::Rope &&
            c.attention != AttentionFunction::Relu)
            boundLayers.push_back({l, W.ln1, qkv, ldw, model.weight(lp.qkvB)});
    }
    MapMetricInputs metricInputs;
    for (const nn::HeadSpec& spec : ws.attention.heads()) metricInputs.windows.push_back(spec.window);
    metricInputs.triggers = extras.triggers;
    metricInputs.outputLogits = ws.logits, metricInputs.logZ = ws.logZ, metricInputs.vocab = V;
    computeMapMetrics(*s, metricInputs);
    // The layers' bounds are independent and the largest part of a snapshot's cost (eigen-solves): one
    // parallel job over the layers, recorded in layer order.
    std::vector<BoundHead> heads;
    for (const nn::HeadSpec& spec : ws.attention.heads()) heads.push_back({spec.window, spec.slope});
    std::vector<std::vector<float>> bounds(boundLayers.size());
    nn::parallelChunks(std::ptrdiff_t(boundLayers.size()), 1, [&](std::ptrdiff_t k, std::ptrdiff_t) {
        const BoundLayer& b = boundLayers[std::size_t(k)];
        bounds[std::size_t(k)] = causalEntropyBounds(b.x, T, C, b.qkv, b.ldw, b.qkvB, D, heads);
    });
    for (std::size_t k = 0; k < boundLayers.size(); ++k)
        for (int h = 0; h < H; ++h) {
            s->scalarNames.push_back(causalBoundScalarName(boundLayers[k].layer, h));
            s->scalarValues.push_back(bounds[k][std::size_t(h)]);
        }

    const ParamLayout& layout = model.layout();
    for (std::size_t g = 0; g < layout.sigmaGroups.size(); ++g) {
        const SigmaGroup& sg = layout.sigmaGroups[g];
        s->scalarNames.push_back("sigma/" + sg.name);
        s->scalarValues.push_back(float(model.sigmaValue[g]));
        s->scalarNames.push_back("gamma/" + sg.name);
        s->scalarValues.push_back(model.tensor(sg.gamma)[0]);
    }
    if (c.usesValueMix())
        for (int l = 1; l < L; ++l) {
            const auto [l1, l2] = model.lambdas(l);
            s->scalarNames.push_back("lambda1/l" + std::to_string(l));
            s->scalarValues.push_back(l1);
            s->scalarNames.push_back("lambda2/l" + std::to_string(l));
            s->scalarValues.push_back(l2);
        }
    s->scalarNames.insert(s->scalarNames.end(), extras.names.begin(), extras.names.end());
    s->scalarValues.insert(s->scalarValues.end(), extras.values.begin(), extras.values.end());
    s->mapPrecision = extras.mapPrecision;
    if (!extras.logitMaps) s->logits = {}; // the metrics above used them; the run does not keep the maps
    if (induction && induction->workspace && !induction->tokens.empty()) {
        ProbeExtras inductionExtras;
        inductionExtras.triggers = extras.triggers;
        inductionExtras.entropyBounds = false;
        inductionExtras.mapPrecision = extras.mapPrecision, inductionExtras.logitMaps = extras.logitMaps;
        s->induction = takeSnapshot(model, *induction->workspace, induction->tokens, step, inductionExtras);
    }
    return s;
}

} // namespace attnscope
