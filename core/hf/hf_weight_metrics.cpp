#include "core/hf/hf_weight_metrics.h"

#include "core/hf/hf_linear.h"
#include "core/nn/parallel.h"
#include "core/probe/metrics.h"
#include "core/probe/probe.h"

#include <Eigen/Core>
#include <cmath>

namespace attnscope::hf {

namespace {

using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapF = Eigen::Map<const RowMatF, Eigen::Unaligned, Eigen::OuterStride<>>;

// σ_max(A Bᵀ) for A, B (C, D) by power iteration on the factors (never forming the C×C product), from the
// same deterministic start as spectralNorm.
double productSpectralNorm(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B, int iterations = 40) {
    Eigen::VectorXd b = Eigen::VectorXd::Ones(B.rows()).normalized();
    double sigma = 0;
    for (int it = 0; it < iterations; ++it) {
        const Eigen::VectorXd a = A * (B.transpose() * b);
        const double na = a.norm();
        if (na == 0) return 0;
        b = B * (A.transpose() * (a / na));
        sigma = b.norm();
        if (sigma == 0) return 0;
        b /= sigma;
    }
    return sigma;
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
        const Eigen::MatrixXd Wq = MapF(qW.data() + qColumn(int(h)), C, D, Eigen::OuterStride<>(ldq)).cast<double>();
        const Eigen::MatrixXd Wk = MapF(kData + kColumn(int(h)), C, D, Eigen::OuterStride<>(ldk)).cast<double>();
        s.sigmaQ[idx] = float(spectralNorm(qW.data() + qColumn(int(h)), C, D, ldq));
        s.sigmaK[idx] = float(spectralNorm(kData + kColumn(int(h)), C, D, ldk));
        const double sigmaQK = productSpectralNorm(Wq, Wk);
        s.sigmaQK[idx] = float(sigmaQK);
        s.entropyBound[idx] = float(entropyLowerBound(sigmaQK * scale * sigmaX * sigmaX, T));
    });
}

} // namespace attnscope::hf
