#include "core/hf/hf_weight_metrics.h"

#include "core/hf/hf_linear.h"
#include "core/nn/gemm.h"
#include "core/nn/parallel.h"
#include "core/probe/metrics.h"
#include "core/probe/probe.h"

#include <Eigen/Core>
#include <cmath>

namespace attnscope::hf {

namespace {

using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapF = Eigen::Map<const RowMatF, Eigen::Unaligned, Eigen::OuterStride<>>;

// Largest eigenvalue of M (D×D, similar to a positive semi-definite matrix) by power iteration from the
// ones vector.
double powerEigenvalue(const Eigen::MatrixXd& M, int iterations = 100) {
    Eigen::VectorXd b = Eigen::VectorXd::Ones(M.cols()).normalized();
    double lambda = 0;
    for (int it = 0; it < iterations; ++it) {
        const Eigen::VectorXd a = M * b;
        lambda = a.norm();
        if (lambda == 0) return 0;
        b = a / lambda;
    }
    return lambda;
}

// WᵀW of W (rows × cols, leading dimension ld) by the float GEMM, accumulated in float and widened.
Eigen::MatrixXd gram(const float* w, int rows, int cols, int ld) {
    std::vector<float> g(std::size_t(cols) * cols);
    nn::gemm<float>(true, false, cols, cols, rows, 1.0f, w, ld, w, ld, 0.0f, g.data(), cols);
    return Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(g.data(),
                                                                                                   cols, cols)
        .cast<double>();
}

} // namespace

void recordWeightMetrics(ProbeSnapshot& s, int layer, const HfCheckpoint& model, const float* normalisedInput,
                         int T) {
    const HfConfig& c = model.config();
    const LayerWeights& L = model.weights().layers[std::size_t(layer)];
    const int H = c.heads, D = c.headDim, C = c.dModel, group = c.heads / c.kvHeads;
    // Dense (C, ·) float32 weights and the column where head h's query / key block starts.
    std::vector<float> qW, kW;
    int ldq = 0, ldk = 0;
    auto qColumn = [&](int h) { return c.family == Family::GptNeoX ? h * 3 * D : h * D; };
    auto kColumn = [&](int h) {
        const int g = h / group;
        return c.family == Family::GptNeoX ? g * 3 * D + D : c.family == Family::Gpt2 ? C + g * D : g * D;
    };
    if (c.family == Family::Llama) {
        qW = denseInOut(L.q), kW = denseInOut(L.k), ldq = L.q.out, ldk = L.k.out;
    } else {
        qW = denseInOut(L.qkv), ldq = ldk = L.qkv.out;
    }
    const float* kData = kW.empty() ? qW.data() : kW.data();
    const double sigmaX = spectralNorm(normalisedInput, T, C, C);
    const double scale = 1.0 / std::sqrt(double(D));
    nn::parallelChunks(H, 1, [&](std::ptrdiff_t h, std::ptrdiff_t) {
        const std::size_t idx = s.headIndex(layer, int(h));
        // Through the D×D Gram matrices G = WᵀW, never the C×C product: σ(W)² = λ_max(G), and
        // σ(W_q W_kᵀ)² = λ_max(G_q G_k) (the nonzero eigenvalues of (W_q W_kᵀ)ᵀ W_q W_kᵀ = W_k G_q W_kᵀ are
        // those of G_q G_k): O(C·D²) per head instead of 40 passes over C×D matrices.
        const Eigen::MatrixXd Gq = gram(qW.data() + qColumn(int(h)), C, D, ldq);
        const Eigen::MatrixXd Gk = gram(kData + kColumn(int(h)), C, D, ldk);
        s.sigmaQ[idx] = float(std::sqrt(powerEigenvalue(Gq)));
        s.sigmaK[idx] = float(std::sqrt(powerEigenvalue(Gk)));
        const double sigmaQK = std::sqrt(powerEigenvalue(Gq * Gk));
        s.sigmaQK[idx] = float(sigmaQK);
        s.entropyBound[idx] = float(entropyLowerBound(sigmaQK * scale * sigmaX * sigmaX, T));
    });
}

} // namespace attnscope::hf
