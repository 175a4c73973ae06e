#include "core/optim/optimizer.h"

#include "core/nn/parallel.h"
#include "core/optim/adamw.h"
#include "core/optim/sgd.h"

#include <cmath>

namespace attnscope {

double Optimizer::decayRate(double lr) const {
    return m_config.decayMode == WeightDecayMode::Decoupled ? lr * m_config.weightDecay
                                                            : (lr / m_config.lr) * m_config.weightDecay;
}

void Optimizer::forEachTensor(const float* params, std::vector<float>* updateRatios,
                              const ChunkUpdate& update) const {
    if (updateRatios) updateRatios->assign(m_layout.tensors.size(), 0.0f);
    for (std::size_t ti = 0; ti < m_layout.tensors.size(); ++ti) {
        const TensorInfo& t = m_layout.tensors[ti];
        const std::ptrdiff_t n = std::ptrdiff_t(t.size());
        auto chunk = [&](std::ptrdiff_t b, std::ptrdiff_t e) { return update(ti, b, e); };
        if (updateRatios) {
            // Two deterministic reductions: ‖θ‖² (before the update) and ‖Δθ‖².
            const float* p = params + t.offset;
            const double p2 = nn::parallelSum(n, 8192, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
                double acc = 0;
                for (std::ptrdiff_t i = b; i < e; ++i) acc += double(p[i]) * p[i];
                return acc;
            });
            const double du2 = nn::parallelSum(n, 8192, chunk);
            (*updateRatios)[ti] = p2 > 0 ? float(std::sqrt(du2 / p2)) : 0.0f;
        } else {
            nn::parallelChunks(n, 8192, [&](std::ptrdiff_t b, std::ptrdiff_t e) { chunk(b, e); });
        }
    }
}

std::unique_ptr<Optimizer> makeOptimizer(const ParamLayout& layout, const TrainConfig& config) {
    if (config.optimizer == OptimizerKind::Sgd) return std::make_unique<Sgd>(layout, config);
    return std::make_unique<AdamW>(layout, config);
}

double clipGradientNorm(float* grads, std::size_t n, double maxNorm) {
    const double sq = nn::parallelSum(std::ptrdiff_t(n), 16384, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
        double acc = 0;
        for (std::ptrdiff_t i = b; i < e; ++i) acc += double(grads[i]) * grads[i];
        return acc;
    });
    const double norm = std::sqrt(sq);
    if (!std::isfinite(norm) || maxNorm <= 0 || norm <= maxNorm) return norm;
    const float scale = float(maxNorm / norm);
    nn::parallelChunks(std::ptrdiff_t(n), 16384, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
        for (std::ptrdiff_t i = b; i < e; ++i) grads[i] *= scale;
    });
    return norm;
}

} // namespace attnscope
