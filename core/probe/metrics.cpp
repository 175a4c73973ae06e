#include "core/probe/metrics.h"

#include <cmath>
#include <limits>

namespace attnscope {

HeadMetrics headMetrics(const float* A, const float* Z, int T, int window) {
    HeadMetrics m;
    double entropy = 0, norm = 0, rowMax = 0, distance = 0, sink = 0;
    int normRows = 0, sinkRows = 0;
    float maxLogit = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < T; ++i) {
        const int n = visibleKeys(i, window);
        const int j0 = i - n + 1;
        double h = 0, d = 0;
        float rmax = -std::numeric_limits<float>::infinity();
        for (int j = j0; j <= i; ++j) {
            const double a = A[std::size_t(i) * T + j];
            if (a > 0) h -= a * std::log(a);
            d += a * (i - j);
            rmax = std::max(rmax, Z[std::size_t(i) * T + j]);
        }
        entropy += h;
        distance += d;
        rowMax += rmax;
        maxLogit = std::max(maxLogit, rmax);
        if (n >= 2) norm += h / std::log(double(n)), ++normRows;
        if (j0 == 0) sink += A[std::size_t(i) * T], ++sinkRows;
    }
    m.entropy = float(entropy / T);
    m.normEntropy = normRows ? float(norm / normRows) : 0.0f;
    m.maxLogit = maxLogit;
    m.meanRowMax = float(rowMax / T);
    m.sinkScore = sinkRows ? float(sink / sinkRows) : 0.0f;
    m.meanDistance = float(distance / T);
    return m;
}

float sinkRate(const std::vector<float>& sinkScores) {
    if (sinkScores.empty()) return 0;
    int sinks = 0;
    for (float s : sinkScores) sinks += s > kSinkThreshold;
    return float(sinks) / float(sinkScores.size());
}

std::vector<float> keyProfile(const float* A, int T, int window) {
    std::vector<float> profile(T, 0.0f);
    for (int j = 0; j < T; ++j) {
        double sum = 0;
        int count = 0;
        for (int i = j; i < T; ++i) {
            if (window > 0 && i - j >= window) break;
            sum += A[std::size_t(i) * T + j];
            ++count;
        }
        profile[j] = count ? float(sum / count) : 0.0f;
    }
    return profile;
}

SinkMetrics sinkMetrics(const float* A, int T, int window, const std::vector<bool>& dormant) {
    SinkMetrics m;
    double sink = 0, total = 0;
    int rows = 0;
    std::vector<double> received(std::size_t(T), 0.0);
    for (int i = 0; i < T; ++i) {
        const int j0 = i - visibleKeys(i, window) + 1;
        if (j0 == 0 && dormant[std::size_t(i)]) sink += A[std::size_t(i) * T], ++rows;
        for (int j = j0; j <= i; ++j) received[std::size_t(j)] += A[std::size_t(i) * T + j];
    }
    for (int j = 0; j < T; ++j) {
        total += received[std::size_t(j)];
        if (received[std::size_t(j)] > received[std::size_t(m.topKey)]) m.topKey = j;
    }
    m.sinkNonTrigger = rows ? float(sink / rows) : 0.0f;
    m.topKeyShare = total > 0 ? float(received[std::size_t(m.topKey)] / total) : 0.0f;
    return m;
}

float importanceEntropy(const std::vector<const float*>& maps, int T) {
    std::vector<double> importance(T, 0.0);
    for (const float* A : maps)
        for (int i = 0; i < T; ++i)
            for (int j = 0; j <= i; ++j) importance[j] += A[std::size_t(i) * T + j] / double(maps.size());
    double total = 0;
    for (double a : importance) total += a;
    double e = 0;
    for (double a : importance)
        if (a > 0) e -= (a / total) * std::log(a / total);
    return float(e);
}

double entropyLowerBound(double varsigma, int T) {
    if (T < 2 || !std::isfinite(varsigma)) return std::numeric_limits<double>::quiet_NaN();
    const double beta = std::exp(-varsigma * std::sqrt(double(T) / (T - 1)));
    return std::log(1.0 + (T - 1) * beta) +
           varsigma * std::sqrt(double(T) * (T - 1)) * beta / (1.0 + (T - 1) * beta);
}

} // namespace attnscope
