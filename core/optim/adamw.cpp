#include "core/optim/adamw.h"

#include "core/nn/kernels.h"

#include <cmath>

namespace attnscope {

AdamW::AdamW(const ParamLayout& layout, const OptimizerConfig& config)
    : Optimizer(layout, config), m_m(layout.total, 0.0f), m_v(layout.total, 0.0f) {}

std::vector<std::pair<std::string, AlignedVector<float>*>> AdamW::stateBuffers() {
    return {{"adam_m", &m_m}, {"adam_v", &m_v}};
}

void AdamW::step(float* params, const float* grads, double lr, std::vector<float>* updateRatios) {
    ++m_t;
    const double b1 = m_config.beta1, b2 = m_config.beta2;
    const float correction1 = float(1.0 - std::pow(b1, m_t));
    const float correction2 = float(1.0 - std::pow(b2, m_t));
    const double rate = decayRate(lr);
    const float fb1 = float(b1), fb2 = float(b2), flr = float(lr), eps = float(m_config.eps);
    const bool measure = updateRatios != nullptr;
    const auto kernel = nn::kernels<float>().adamw; // the loop itself: kernels_impl.h
    forEachTensor(params, updateRatios, [&](std::size_t ti, std::ptrdiff_t b, std::ptrdiff_t e) {
        const TensorInfo& t = m_layout.tensors[ti];
        const nn::AdamWCoefficients<float> c{
            fb1, fb2, correction1, correction2, flr, eps, t.decay ? float(rate) : 0.0f};
        const std::size_t at = t.offset + std::size_t(b);
        return kernel(params + at, grads + at, m_m.data() + at, m_v.data() + at, e - b, c, measure);
    });
}

} // namespace attnscope
