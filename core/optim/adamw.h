#pragma once
// AdamW (mechanisms.md §1.3 item 9) with decoupled or independent weight decay on the tensors the layout
// marks for decay (matrices and embeddings), and global gradient-norm clipping (item 10).
#include "core/model/param_layout.h"
#include "core/train/train_config.h"
#include "core/util/aligned.h"

#include <vector>

namespace attnscope {

class AdamW {
public:
    AdamW(const ParamLayout& layout, const TrainConfig& config);

    // One update with learning rate lr (schedule already applied). If updateRatios is given, it receives
    // ‖Δθ‖/‖θ‖ per tensor (layout order) — measured only at recording steps because it costs a pass.
    void step(float* params, const float* grads, double lr, std::vector<float>* updateRatios = nullptr);

    int steps() const { return m_t; }
    AlignedVector<float>& firstMoment() { return m_m; }
    AlignedVector<float>& secondMoment() { return m_v; }
    void setSteps(int t) { m_t = t; }

private:
    const ParamLayout& m_layout;
    TrainConfig m_config;
    AlignedVector<float> m_m, m_v;
    int m_t = 0;
};

// Scales grads so their global L2 norm is at most maxNorm (0: no clipping). Returns the norm before
// clipping (NaN/Inf when a gradient is not finite; grads are then left untouched).
double clipGradientNorm(float* grads, std::size_t n, double maxNorm);

} // namespace attnscope
