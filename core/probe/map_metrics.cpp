#include "core/probe/map_metrics.h"

#include "core/probe/head_scores.h"
#include "core/probe/metrics.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

void computeMapMetrics(ProbeSnapshot& s, const MapMetricInputs& in) {
    const int L = s.layers, H = s.heads, T = s.length;
    const std::size_t LH = std::size_t(L) * H;
    for (auto* v : {&s.entropy, &s.normEntropy, &s.maxLogit, &s.meanRowMax, &s.sinkScore, &s.meanDistance,
                    &s.sinkNonTrigger, &s.topKey, &s.topKeyShare, &s.previousToken, &s.duplicateToken,
                    &s.inductionScore, &s.localMass})
        v->assign(LH, 0.0f);
    s.keyProfile.assign(LH * T, 0.0f);
    s.importanceEntropy.assign(std::size_t(L), 0.0f);
    std::vector<bool> dormant(std::size_t(T), true);
    dormant[0] = false; // query 0 sees only key 0: A_00 = 1 for softmax whatever the head does
    for (int i = 1; i < T; ++i)
        for (std::int32_t t : in.triggers)
            dormant[std::size_t(i)] = dormant[std::size_t(i)] && s.tokens[std::size_t(i)] != t;
    for (int l = 0; l < L; ++l) {
        std::vector<const float*> maps;
        for (int h = 0; h < H; ++h) {
            const std::size_t idx = s.headIndex(l, h);
            const int window = in.windows.empty() ? 0 : in.windows[std::size_t(h)];
            const float* A = s.map(l, h);
            const HeadMetrics m = headMetrics(A, s.logitMap(l, h), T, window);
            s.entropy[idx] = m.entropy, s.normEntropy[idx] = m.normEntropy, s.maxLogit[idx] = m.maxLogit;
            s.meanRowMax[idx] = m.meanRowMax, s.sinkScore[idx] = m.sinkScore,
            s.meanDistance[idx] = m.meanDistance;
            const SinkMetrics sm = sinkMetrics(A, T, window, dormant);
            s.sinkNonTrigger[idx] = sm.sinkNonTrigger, s.topKey[idx] = float(sm.topKey);
            s.topKeyShare[idx] = sm.topKeyShare;
            const HeadScores hs = headScores(A, s.tokens.data(), T);
            s.previousToken[idx] = hs.previousToken, s.duplicateToken[idx] = hs.duplicateToken;
            s.inductionScore[idx] = hs.induction, s.localMass[idx] = hs.localMass;
            const auto profile = keyProfile(A, T, window);
            std::copy(profile.begin(), profile.end(), s.keyProfile.begin() + std::ptrdiff_t(idx * T));
            maps.push_back(A);
        }
        s.importanceEntropy[std::size_t(l)] = importanceEntropy(maps, T);
    }
    s.sinkRate = sinkRate(s.sinkScore);
    double logZ = 0;
    float outMax = 0;
    const int V = in.vocab;
    for (int i = 0; i < T; ++i) {
        logZ += in.logZ[i];
        for (int v = 0; v < V; ++v)
            outMax = std::max(outMax, std::abs(in.outputLogits[std::size_t(i) * V + v]));
    }
    s.meanLogZ = float(logZ / T);
    s.outLogitMax = outMax;
}

} // namespace attnscope
