#include "core/optim/adamw.h"

#include "core/nn/parallel.h"

#include <cmath>

namespace attnscope {

AdamW::AdamW(const ParamLayout& layout, const TrainConfig& config)
    : m_layout(layout), m_config(config), m_m(layout.total, 0.0f), m_v(layout.total, 0.0f) {}

void AdamW::step(float* params, const float* grads, double lr, std::vector<float>* updateRatios) {
    ++m_t;
    const double b1 = m_config.beta1, b2 = m_config.beta2;
    const float correction1 = float(1.0 - std::pow(b1, m_t));
    const float correction2 = float(1.0 - std::pow(b2, m_t));
    // Decoupled (PyTorch): θ ← θ − η_t·λ·θ. Independent (Wortsman et al.): θ ← θ − (η_t/η)·λ·θ.
    const double decayRate = m_config.decayMode == WeightDecayMode::Decoupled
                                 ? lr * m_config.weightDecay
                                 : (lr / m_config.lr) * m_config.weightDecay;
    if (updateRatios) updateRatios->assign(m_layout.tensors.size(), 0.0f);
    for (std::size_t ti = 0; ti < m_layout.tensors.size(); ++ti) {
        const TensorInfo& t = m_layout.tensors[ti];
        const float decay = t.decay ? float(decayRate) : 0.0f;
        const float fb1 = float(b1), fb2 = float(b2), flr = float(lr), eps = float(m_config.eps);
        float* p = params + t.offset;
        const float* g = grads + t.offset;
        float* m = m_m.data() + t.offset;
        float* v = m_v.data() + t.offset;
        double du2 = 0, p2 = 0;
        auto update = [&](std::ptrdiff_t b, std::ptrdiff_t e) {
            double localDu = 0;
            for (std::ptrdiff_t i = b; i < e; ++i) {
                m[i] = fb1 * m[i] + (1.0f - fb1) * g[i];
                v[i] = fb2 * v[i] + (1.0f - fb2) * g[i] * g[i];
                const float mhat = m[i] / correction1, vhat = v[i] / correction2;
                const float delta = -decay * p[i] - flr * mhat / (std::sqrt(vhat) + eps);
                if (updateRatios) localDu += double(delta) * delta;
                p[i] += delta;
            }
            return localDu;
        };
        if (updateRatios) {
            // Two deterministic reductions: ‖Δθ‖² and ‖θ‖² (before the update).
            p2 = nn::parallelSum(std::ptrdiff_t(t.size()), 8192, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
                double acc = 0;
                for (std::ptrdiff_t i = b; i < e; ++i) acc += double(p[i]) * p[i];
                return acc;
            });
            du2 = nn::parallelSum(std::ptrdiff_t(t.size()), 8192, update);
            (*updateRatios)[ti] = p2 > 0 ? float(std::sqrt(du2 / p2)) : 0.0f;
        } else {
            nn::parallelChunks(std::ptrdiff_t(t.size()), 8192,
                               [&](std::ptrdiff_t b, std::ptrdiff_t e) { update(b, e); });
        }
    }
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
