#include "core/optim/optimizer.h"

#include "core/nn/parallel.h"
#include "core/optim/adamw.h"
#include "core/optim/sgd.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

double Optimizer::decayRate(double lr) const {
    return m_config.decayMode == WeightDecayMode::Decoupled ? lr * m_config.weightDecay
                                                            : (lr / m_config.lr) * m_config.weightDecay;
}

void Optimizer::forEachTensor(const float* params, std::vector<float>* updateRatios,
                              const ChunkUpdate& update) const {
    // Every tensor is cut into 8192-element blocks and all blocks of all tensors run in one parallel job (one
    // job per tensor cost ~50 joins per step). ‖θ‖² (before the update) and ‖Δθ‖² are per-block partials
    // added per tensor in block order, so the bits are the same for any thread count.
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
    nn::parallelChunks(std::ptrdiff_t(blocks.size()), 1, [&](std::ptrdiff_t k0, std::ptrdiff_t k1) {
        for (std::ptrdiff_t k = k0; k < k1; ++k) {
            const Block& blk = blocks[std::size_t(k)];
            if (updateRatios) {
                const float* p = params + m_layout.tensors[blk.tensor].offset;
                double acc = 0;
#pragma omp simd reduction(+ : acc)
                for (std::ptrdiff_t i = blk.begin; i < blk.end; ++i) acc += double(p[i]) * p[i];
                p2[std::size_t(k)] = acc;
                du2[std::size_t(k)] = update(blk.tensor, blk.begin, blk.end);
            } else {
                update(blk.tensor, blk.begin, blk.end);
            }
        }
    });
    if (!updateRatios) return;
    updateRatios->assign(m_layout.tensors.size(), 0.0f);
    std::vector<double> tensorDu(m_layout.tensors.size(), 0.0), tensorP(tensorDu.size(), 0.0);
    for (std::size_t k = 0; k < blocks.size(); ++k)
        tensorDu[blocks[k].tensor] += du2[k], tensorP[blocks[k].tensor] += p2[k];
    for (std::size_t ti = 0; ti < tensorDu.size(); ++ti)
        (*updateRatios)[ti] = tensorP[ti] > 0 ? float(std::sqrt(tensorDu[ti] / tensorP[ti])) : 0.0f;
}

std::unique_ptr<Optimizer> makeOptimizer(const ParamLayout& layout, const OptimizerConfig& config) {
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
