#include "core/optim/adamw.h"

#include "core/nn/parallel.h"

#include <algorithm>
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
    // Every tensor is cut into 8192-element blocks; all blocks of all tensors run in one parallel region
    // (one per tensor cost ~50 regions per step). ‖Δθ‖² and ‖θ‖² (before the update) are per-block partials
    // added per tensor in block order, so the same bits for any thread count.
    struct Block {
        std::size_t tensor;
        std::ptrdiff_t begin, end;
    };
    constexpr std::ptrdiff_t kBlock = 8192;
    std::vector<Block> blocks;
    for (std::size_t ti = 0; ti < m_layout.tensors.size(); ++ti) {
        const std::ptrdiff_t size = std::ptrdiff_t(m_layout.tensors[ti].size());
        for (std::ptrdiff_t b = 0; b < size; b += kBlock)
            blocks.push_back({ti, b, std::min(size, b + kBlock)});
    }
    std::vector<double> du2(updateRatios ? blocks.size() : 0), p2(du2.size());
    const float fb1 = float(b1), fb2 = float(b2), flr = float(lr), eps = float(m_config.eps);
    nn::parallelChunks(std::ptrdiff_t(blocks.size()), 1, [&](std::ptrdiff_t k0, std::ptrdiff_t k1) {
        for (std::ptrdiff_t k = k0; k < k1; ++k) {
            const Block& blk = blocks[std::size_t(k)];
            const TensorInfo& t = m_layout.tensors[blk.tensor];
            const float decay = t.decay ? float(decayRate) : 0.0f;
            float* p = params + t.offset;
            const float* g = grads + t.offset;
            float* m = m_m.data() + t.offset;
            float* v = m_v.data() + t.offset;
            if (updateRatios) {
                double localP = 0, localDu = 0;
                for (std::ptrdiff_t i = blk.begin; i < blk.end; ++i) localP += double(p[i]) * p[i];
                for (std::ptrdiff_t i = blk.begin; i < blk.end; ++i) {
                    m[i] = fb1 * m[i] + (1.0f - fb1) * g[i];
                    v[i] = fb2 * v[i] + (1.0f - fb2) * g[i] * g[i];
                    const float mhat = m[i] / correction1, vhat = v[i] / correction2;
                    const float delta = -decay * p[i] - flr * mhat / (std::sqrt(vhat) + eps);
                    localDu += double(delta) * delta;
                    p[i] += delta;
                }
                p2[std::size_t(k)] = localP, du2[std::size_t(k)] = localDu;
            } else {
#pragma omp simd
                for (std::ptrdiff_t i = blk.begin; i < blk.end; ++i) {
                    m[i] = fb1 * m[i] + (1.0f - fb1) * g[i];
                    v[i] = fb2 * v[i] + (1.0f - fb2) * g[i] * g[i];
                    const float mhat = m[i] / correction1, vhat = v[i] / correction2;
                    const float delta = -decay * p[i] - flr * mhat / (std::sqrt(vhat) + eps);
                    p[i] += delta;
                }
            }
        }
    });
    if (updateRatios) {
        std::vector<double> tensorDu(m_layout.tensors.size(), 0.0), tensorP(tensorDu.size(), 0.0);
        for (std::size_t k = 0; k < blocks.size(); ++k)
            tensorDu[blocks[k].tensor] += du2[k], tensorP[blocks[k].tensor] += p2[k];
        for (std::size_t ti = 0; ti < tensorDu.size(); ++ti)
            (*updateRatios)[ti] = tensorP[ti] > 0 ? float(std::sqrt(tensorDu[ti] / tensorP[ti])) : 0.0f;
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
