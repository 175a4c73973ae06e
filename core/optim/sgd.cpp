#include "core/optim/sgd.h"

namespace attnscope {

Sgd::Sgd(const ParamLayout& layout, const OptimizerConfig& config)
    : Optimizer(layout, config), m_b(layout.total, 0.0f) {}

std::vector<std::pair<std::string, AlignedVector<float>*>> Sgd::stateBuffers() {
    return {{"momentum", &m_b}};
}

void Sgd::step(float* params, const float* grads, double lr, std::vector<float>* updateRatios) {
    ++m_t;
    const double rate = decayRate(lr);
    const float mu = float(m_config.momentum), flr = float(lr);
    const bool measure = updateRatios != nullptr;
    forEachTensor(params, updateRatios, [&](std::size_t ti, std::ptrdiff_t b, std::ptrdiff_t e) {
        const TensorInfo& t = m_layout.tensors[ti];
        const float decay = t.decay ? float(rate) : 0.0f;
        float* p = params + t.offset;
        const float* g = grads + t.offset;
        float* buf = m_b.data() + t.offset;
        double du2 = 0;
        for (std::ptrdiff_t i = b; i < e; ++i) {
            buf[i] = mu * buf[i] + g[i]; // b starts at 0, so the first step's b is g (as in PyTorch)
            const float delta = -decay * p[i] - flr * buf[i];
            if (measure) du2 += double(delta) * delta;
            p[i] += delta;
        }
        return du2;
    });
}

} // namespace attnscope
