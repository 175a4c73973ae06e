#include "core/nn/cross_entropy.h"

#include "core/nn/parallel.h"

#include <cmath>

namespace attnscope::nn {

template <typename T>
CrossEntropyResult cross_entropy_forward(T* logZ, const T* logits, const std::int32_t* targets, long rows,
                                         int V, double zLossCoef) {
    CrossEntropyResult r;
    for (long i = 0; i < rows; ++i) r.scored += targets[i] >= 0;
    // Log-sum-exp with max subtraction per row.
    parallelChunks(rows, 16, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        for (std::ptrdiff_t i = r0; i < r1; ++i) {
            const T* l = logits + i * V;
            T m = l[0];
            for (int j = 1; j < V; ++j) m = std::max(m, l[j]);
            T s = 0;
            for (int j = 0; j < V; ++j) s += std::exp(l[j] - m);
            logZ[i] = m + std::log(s);
        }
    });
    r.loss = parallelSum(rows, 256, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        double acc = 0;
        for (std::ptrdiff_t i = r0; i < r1; ++i)
            if (targets[i] >= 0) acc += double(logZ[i]) - double(logits[i * V + targets[i]]);
        return acc;
    });
    if (zLossCoef > 0)
        r.zLoss = zLossCoef * parallelSum(rows, 256, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
                      double acc = 0;
                      for (std::ptrdiff_t i = r0; i < r1; ++i)
                          if (targets[i] >= 0) acc += double(logZ[i]) * double(logZ[i]);
                      return acc;
                  });
    if (r.scored > 0) {
        r.loss /= double(r.scored);
        r.zLoss /= double(r.scored);
    }
    return r;
}

template <typename T>
void cross_entropy_backward(T* dlogits, const T* logits, const T* logZ, const std::int32_t* targets,
                            long rows, int V, long scored, double zLossCoef) {
    const T invN = scored > 0 ? T(1.0 / double(scored)) : T(0);
    parallelChunks(rows, 16, [&](std::ptrdiff_t r0, std::ptrdiff_t r1) {
        for (std::ptrdiff_t i = r0; i < r1; ++i) {
            T* d = dlogits + i * V;
            const T* l = logits + i * V;
            if (targets[i] < 0) {
                for (int j = 0; j < V; ++j) d[j] = 0;
                continue;
            }
            const T zScale = T(1) + T(2 * zLossCoef) * logZ[i];
            for (int j = 0; j < V; ++j) d[j] = std::exp(l[j] - logZ[i]) * zScale * invN;
            d[targets[i]] -= invN;
        }
    });
}

template CrossEntropyResult cross_entropy_forward<float>(float*, const float*, const std::int32_t*, long, int,
                                                         double);
template CrossEntropyResult cross_entropy_forward<double>(double*, const double*, const std::int32_t*, long,
                                                          int, double);
template void cross_entropy_backward<float>(float*, const float*, const float*, const std::int32_t*, long,
                                            int, long, double);
template void cross_entropy_backward<double>(double*, const double*, const double*, const std::int32_t*, long,
                                             int, long, double);

} // namespace attnscope::nn
