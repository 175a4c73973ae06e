#include "core/train/event_detector.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnscope {

namespace {
double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}
std::string format(const char* f, double a, double b = 0, double c = 0, double d = 0) {
    char buf[200];
    std::snprintf(buf, sizeof buf, f, a, b, c, d);
    return buf;
}
// A logit for a message: whole numbers while they stay short, then 3 significant digits ("2.41e+27", not a
// 28-digit integer).
std::string logitText(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, std::abs(v) < 1e6 ? "%.0f" : "%.3g", v);
    return buf;
}
} // namespace

std::vector<Event> EventDetector::onStep(int step, double loss) {
    std::vector<Event> events;
    if (!std::isfinite(loss)) {
        events.push_back(
            {step, EventKind::NonFinite, "loss is " + std::string(std::isnan(loss) ? "NaN" : "infinite")});
        return events;
    }
    if (int(m_recent.size()) >= std::min(spikeWindow, 20)) {
        const std::vector<double> window(m_recent.begin(), m_recent.end());
        const double med = median(window);
        std::vector<double> dev;
        for (double x : window) dev.push_back(std::abs(x - med));
        const double mad = 1.4826 * median(dev) + 1e-12;
        const double z = (loss - med) / mad;
        if (z > spikeZ && loss - med > spikeMinRise)
            events.push_back({step, EventKind::LossSpike,
                              format("loss %.3f vs rolling median %.3f (robust z %.1f)", loss, med, z)});
    }
    m_recent.push_back(loss);
    if (int(m_recent.size()) > spikeWindow) m_recent.pop_front();
    return events;
}

std::vector<Event> EventDetector::onSnapshot(const ProbeSnapshot& s) {
    std::vector<Event> events;
    const std::size_t n = std::size_t(s.layers) * s.heads;
    if (m_peakEntropy.size() != n) m_peakEntropy.assign(n, 0.0f);
    for (int l = 0; l < s.layers; ++l) {
        float layerMax = -1e30f;
        for (int h = 0; h < s.heads; ++h) {
            const std::size_t i = s.headIndex(l, h);
            const float e = s.entropy[i];
            m_peakEntropy[i] = std::max(m_peakEntropy[i], e);
            const bool sink = i < s.sinkScore.size() && s.sinkScore[i] > sinkScore;
            if (!sink) {
                m_seenBelowSink.insert(int(i));
            } else if (m_seenBelowSink.count(int(i)) && !m_sinks.count(int(i))) {
                m_sinks.insert(int(i));
                events.push_back(
                    {s.step, EventKind::Note,
                     format("sink formation: layer %.0f head %.0f puts α₁ = %.2f on key 0 (sink above "
                            "%.1f)",
                            l, h, s.sinkScore[i], sinkScore)});
            }
            // A head that piles onto key 0 is a sink (reported above), not a collapse onto content.
            if (!sink && !m_collapsed.count(int(i)) && e < collapseEntropy &&
                e < (1 - collapseDrop) * m_peakEntropy[i]) {
                m_collapsed.insert(int(i));
                events.push_back(
                    {s.step, EventKind::EntropyCollapse,
                     format("layer %.0f head %.0f entropy %.2f → %.3f nats", l, h, m_peakEntropy[i], e)});
            }
            layerMax = std::max(layerMax, s.maxLogit[i]);
        }
        if (!m_exploded.count(l) && layerMax > explosionLogit) {
            m_exploded.insert(l);
            events.push_back({s.step, EventKind::LogitExplosion,
                              format("layer %.0f max pre-softmax logit ", l) + logitText(layerMax) +
                                  format(" (threshold %.0f)", explosionLogit)});
        }
    }
    const std::vector<RoleScores> scores = roleScores(s, s.induction.get());
    if (!scores.empty()) {
        auto roleEvents = m_roles.add(s.step, classifyHeads(scores), s.heads);
        events.insert(events.end(), roleEvents.begin(), roleEvents.end());
        m_inductionMax = maxInductionScore(scores);
    }
    return events;
}

std::vector<Event> EventDetector::onIclScore(int step, double icl) {
    std::vector<Event> events;
    if (m_phaseChanged || !std::isfinite(icl) || !std::isfinite(m_inductionMax)) return events;
    m_icl.push_back({step, icl, m_inductionMax});
    if (auto e = detectPhaseChange(m_icl)) {
        m_phaseChanged = true;
        events.push_back(*e);
    }
    return events;
}

} // namespace attnscope
