#include "core/run/run_quantities.h"

#include "core/probe/entropy_bound.h"
#include "core/run/recorded_run.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int lastLayerOr(const ProbeSnapshot& s, int lastLayer) {
    return lastLayer < 0 ? s.layers - 1 : std::min(lastLayer, s.layers - 1);
}

double mean(const std::vector<float>& perHead, const ProbeSnapshot& s, int firstLayer, int lastLayer) {
    if (perHead.size() != std::size_t(s.layers) * s.heads) return kNaN;
    double sum = 0;
    int n = 0;
    for (int l = std::max(0, firstLayer); l <= lastLayerOr(s, lastLayer); ++l)
        for (int h = 0; h < s.heads; ++h) {
            const double v = perHead[s.headIndex(l, h)];
            if (!std::isfinite(v)) continue;
            sum += v;
            ++n;
        }
    return n ? sum / n : kNaN;
}

double median(std::vector<double> v) {
    if (v.empty()) return kNaN;
    const std::size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(mid), v.end());
    if (v.size() % 2) return v[mid];
    const double upper = v[mid];
    return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + std::ptrdiff_t(mid)));
}

double medianExcept(const std::vector<float>& values, std::size_t offset, int T, int skip) {
    if (offset + std::size_t(T) > values.size()) return kNaN;
    std::vector<double> rest;
    for (int j = 0; j < T; ++j)
        if (j != skip) rest.push_back(values[offset + std::size_t(j)]);
    return median(std::move(rest));
}

} // namespace

double valLossAt(const RecordedRun& run, int step) {
    double last = kNaN;
    for (const StepRecord& r : run.steps) {
        if (step >= 0 && r.step > step) break;
        if (std::isfinite(r.valLoss)) last = r.valLoss;
    }
    return last;
}

double evalLossAt(const RecordedRun& run, int length) {
    double loss = kNaN;
    int step = std::numeric_limits<int>::min();
    for (const EvalRecord& e : run.evals)
        if (e.length == length && e.mode == "nonoverlapping" && e.step >= step) {
            step = e.step;
            loss = e.loss;
        }
    return loss;
}

int eventCount(const RecordedRun& run, EventKind kind) {
    return int(std::count_if(run.events.begin(), run.events.end(),
                             [kind](const Event& e) { return e.kind == kind; }));
}

double layerMaxLogit(const ProbeSnapshot& s, int layer) {
    double best = -std::numeric_limits<double>::infinity();
    for (int h = 0; h < s.heads; ++h) {
        const std::size_t i = s.headIndex(layer, h);
        if (i < s.maxLogit.size() && std::isfinite(s.maxLogit[i]))
            best = std::max(best, double(s.maxLogit[i]));
    }
    return std::isfinite(best) ? best : kNaN;
}

double minHeadEntropy(const ProbeSnapshot& s, int layer) {
    double best = std::numeric_limits<double>::infinity();
    for (int l = 0; l < s.layers; ++l) {
        if (layer >= 0 && l != layer) continue;
        for (int h = 0; h < s.heads; ++h) {
            const std::size_t i = s.headIndex(l, h);
            if (i < s.entropy.size() && std::isfinite(s.entropy[i]))
                best = std::min(best, double(s.entropy[i]));
        }
    }
    return std::isfinite(best) ? best : kNaN;
}

double meanHeadEntropy(const ProbeSnapshot& s, int firstLayer, int lastLayer) {
    return mean(s.entropy, s, firstLayer, lastLayer);
}

double meanCausalBound(const ProbeSnapshot& s, int firstLayer, int lastLayer) {
    return mean(recordedCausalBounds(s), s, firstLayer, lastLayer);
}

double maxCausalBound(const ProbeSnapshot& s, int layer) {
    const std::vector<float> bounds = recordedCausalBounds(s);
    double best = kNaN;
    for (int h = 0; h < s.heads && bounds.size() == std::size_t(s.layers) * s.heads; ++h) {
        const double v = bounds[s.headIndex(layer, h)];
        if (std::isfinite(v) && !(v <= best)) best = v;
    }
    return best;
}

double meanSinkScore(const ProbeSnapshot& s, int layer) {
    return mean(s.sinkScore, s, layer, layer);
}

double meanSinkNonTrigger(const ProbeSnapshot& s, int layer) {
    return mean(s.sinkNonTrigger, s, layer, layer);
}

double valueNormAt(const ProbeSnapshot& s, int layer, int head, int key) {
    const std::size_t i = s.headIndex(layer, head) * std::size_t(s.length) + std::size_t(key);
    return i < s.valueNorm.size() ? double(s.valueNorm[i]) : kNaN;
}

double medianValueNormExcept(const ProbeSnapshot& s, int layer, int head, int key) {
    return medianExcept(s.valueNorm, s.headIndex(layer, head) * std::size_t(s.length), s.length, key);
}

double residualNormAt(const ProbeSnapshot& s, int boundary, int position) {
    const std::size_t i = std::size_t(boundary) * std::size_t(s.length) + std::size_t(position);
    return i < s.residualNorm.size() ? double(s.residualNorm[i]) : kNaN;
}

double medianResidualNormExcept(const ProbeSnapshot& s, int boundary, int position) {
    return medianExcept(s.residualNorm, std::size_t(boundary) * std::size_t(s.length), s.length, position);
}

} // namespace attnscope
