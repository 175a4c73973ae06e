#pragma once
// What every optimiser shares: an update per tensor with weight decay on the
// tensors the layout marks (matrices and embeddings), decoupled or independent of the learning rate as
// OptimizerConfig::decayMode says, the ‖Δθ‖/‖θ‖ measurement at recording steps, and global gradient-norm
// clipping (done by the trainer before step()). AdamW (adamw.h) and SGD with momentum (sgd.h) derive from it.
#include "core/model/param_layout.h"
#include "core/optim/optimizer_config.h"
#include "core/util/aligned.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

class Optimizer {
public:
    virtual ~Optimizer() = default;

    // One update with learning rate lr (schedule already applied). If updateRatios is given, it receives
    // ‖Δθ‖/‖θ‖ per tensor (layout order) — measured only at recording steps because it costs a pass.
    virtual void step(float* params, const float* grads, double lr,
                      std::vector<float>* updateRatios = nullptr) = 0;

    // Optimiser state laid out like the parameters, each with the prefix its tensors carry in checkpoints
    // ("adam_m", "adam_v" for AdamW; "momentum" for SGD).
    virtual std::vector<std::pair<std::string, AlignedVector<float>*>> stateBuffers() = 0;

    int steps() const { return m_t; }
    void setSteps(int t) { m_t = t; }

protected:
    Optimizer(const ParamLayout& layout, const OptimizerConfig& config)
        : m_layout(layout), m_config(config) {}

    // Decay subtracted as rate·θ this step: η_t·λ (decoupled, PyTorch) or (η_t/η)·λ (independent, Wortsman
    // et al.), for tensors whose `decay` flag is set.
    double decayRate(double lr) const;

    // update(tensor, begin, end) updates elements [begin, end) of tensor `tensor` and returns Σ Δθ² over
    // them. Chunks are fixed by the tensor size, never by the thread count (core/nn/parallel.h), so the
    // result is identical on any number of threads.
    using ChunkUpdate = std::function<double(std::size_t tensor, std::ptrdiff_t begin, std::ptrdiff_t end)>;
    void forEachTensor(const float* params, std::vector<float>* updateRatios,
                       const ChunkUpdate& update) const;

    const ParamLayout& m_layout;
    OptimizerConfig m_config;
    int m_t = 0;
};

// The optimiser OptimizerConfig::optimizer names.
std::unique_ptr<Optimizer> makeOptimizer(const ParamLayout& layout, const OptimizerConfig& config);

// Scales grads so their global L2 norm is at most maxNorm (0: no clipping). Returns the norm before
// clipping (NaN/Inf when a gradient is not finite; grads are then left untouched).
double clipGradientNorm(float* grads, std::size_t n, double maxNorm);

} // namespace attnscope
