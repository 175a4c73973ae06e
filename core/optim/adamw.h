#pragma once
// AdamW (Loshchilov & Hutter 2019) with the weight decay and clipping of
// optimizer.h.
#include "core/optim/optimizer.h"

namespace attnscope {

class AdamW final : public Optimizer {
public:
    AdamW(const ParamLayout& layout, const OptimizerConfig& config);

    void step(float* params, const float* grads, double lr,
              std::vector<float>* updateRatios = nullptr) override;
    std::vector<std::pair<std::string, AlignedVector<float>*>> stateBuffers() override;

    AlignedVector<float>& firstMoment() { return m_m; }
    AlignedVector<float>& secondMoment() { return m_v; }

private:
    AlignedVector<float> m_m, m_v;
};

} // namespace attnscope
