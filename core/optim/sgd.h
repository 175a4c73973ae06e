#pragma once
// SGD with (heavy-ball) momentum, PyTorch's torch.optim.SGD without dampening or Nesterov:
//   b ← μ·b + g,  θ ← θ − η_t·b − decay·θ,
// with the decoupled/independent weight decay and the clipping of optimizer.h, so it differs from AdamW only
// in the update direction. Guo et al. 2024 (arXiv 2410.13835) find that SGD-trained models form no attention
// sink where Adam-trained ones do.
#include "core/optim/optimizer.h"

namespace attnscope {

class Sgd final : public Optimizer {
public:
    Sgd(const ParamLayout& layout, const OptimizerConfig& config); // momentum μ = config.momentum

    void step(float* params, const float* grads, double lr,
              std::vector<float>* updateRatios = nullptr) override;
    std::vector<std::pair<std::string, AlignedVector<float>*>> stateBuffers() override;

    AlignedVector<float>& momentumBuffer() { return m_b; }

private:
    AlignedVector<float> m_b;
};

} // namespace attnscope
