#include "core/optim/adamw.h"

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
    forEachTensor(params, updateRatios, [&](std::size_t ti, std::ptrdiff_t b, std::ptrdiff_t e) {
        const TensorInfo& t = m_layout.tensors[ti];
        const float decay = t.decay ? float(rate) : 0.0f;
        float* p = params + t.offset;
        const float* g = grads + t.offset;
        float* m = m_m.data() + t.offset;
        float* v = m_v.data() + t.offset;
        double du2 = 0;
        if (measure) {
            // ‖Δθ‖² in double, vectorised: the lane order is fixed by the binary, so the ratio's bits do not
            // depend on the thread count; Δθ itself is the arithmetic of the loop below.
#pragma omp simd reduction(+ : du2)
            for (std::ptrdiff_t i = b; i < e; ++i) {
                m[i] = fb1 * m[i] + (1.0f - fb1) * g[i];
                v[i] = fb2 * v[i] + (1.0f - fb2) * g[i] * g[i];
                const float mhat = m[i] / correction1, vhat = v[i] / correction2;
                const float delta = -decay * p[i] - flr * mhat / (std::sqrt(vhat) + eps);
                du2 += double(delta) * delta;
                p[i] += delta;
            }
            return du2;
        }
        // The same arithmetic as above, vectorised (vsqrtps rounds like vsqrtss; -fno-math-errno on this
        // file).
#pragma omp simd
        for (std::ptrdiff_t i = b; i < e; ++i) {
            m[i] = fb1 * m[i] + (1.0f - fb1) * g[i];
            v[i] = fb2 * v[i] + (1.0f - fb2) * g[i] * g[i];
            const float mhat = m[i] / correction1, vhat = v[i] / correction2;
            const float delta = -decay * p[i] - flr * mhat / (std::sqrt(vhat) + eps);
            p[i] += delta;
        }
        return du2;
    });
}

} // namespace attnscope
