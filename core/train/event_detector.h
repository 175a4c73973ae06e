#pragma once
// Turns the stream of losses and probe snapshots into events worth marking on a timeline: NaN/Inf, loss
// spikes (robust z-score against a rolling median), entropy collapse (a head's entropy falling sharply to
// near zero while it is not a sink), sink formation (a note: a head's attention on key 0 rising past Gu et
// al.'s threshold after a snapshot below it), logit explosion (a layer's max content logit crossing a
// threshold), head role changes and the induction phase change (core/probe/head_roles.h). Each head/layer
// event fires once; the phase change once.
#include "core/probe/head_roles.h"
#include "core/probe/snapshot.h"

#include <deque>
#include <limits>
#include <set>
#include <vector>

namespace attnscope {

class EventDetector {
public:
    std::vector<Event> onStep(int step, double loss);
    std::vector<Event> onSnapshot(const ProbeSnapshot& s);
    // The in-context-learning score of an evaluation at `step`, after that step's snapshot (if any).
    std::vector<Event> onIclScore(int step, double icl);

    // Thresholds (documented in docs/metrics.md).
    int spikeWindow = 50;          // rolling median window (steps)
    double spikeZ = 6.0;           // robust z-score (MAD-scaled) that counts as a spike
    double spikeMinRise = 0.1;     // and at least this many nats above the median
    double collapseEntropy = 0.1;  // nats: a head below this...
    double collapseDrop = 0.5;     // ...after falling by at least this fraction since its running peak
    double explosionLogit = 100.0; // max content logit per layer
    double sinkScore = 0.3; // a head with more attention on key 0 is a sink (Gu et al., arXiv 2410.10781)

private:
    std::deque<double> m_recent;
    std::vector<float> m_peakEntropy;
    std::set<int> m_collapsed, m_exploded, m_sinks, m_seenBelowSink;
    RoleTracker m_roles;
    std::vector<IclPoint> m_icl;
    double m_inductionMax = std::numeric_limits<double>::quiet_NaN();
    bool m_phaseChanged = false;
};

} // namespace attnscope
