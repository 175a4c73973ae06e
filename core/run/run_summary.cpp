#include "core/run/run_summary.h"

#include "core/run/recorded_run.h"
#include "core/store/run_reader.h"

#include <cmath>

namespace attnscope {

namespace {

// NaN-aware running extremes over finite values: the first finite value replaces NaN.
void keepMax(double& best, double v) {
    if (std::isfinite(v) && !(v <= best)) best = v;
}
void keepMin(double& best, double v) {
    if (std::isfinite(v) && !(v >= best)) best = v;
}

} // namespace

void RunSummary::setSteps(const std::vector<StepRecord>& steps) {
    lastStep = 0;
    initLoss = finalLoss = finalCeLoss = finalValLoss = kNone;
    finalValStep = 0;
    if (steps.empty()) return;
    lastStep = steps.back().step;
    if (steps.front().step == 1) initLoss = steps.front().loss;
    finalLoss = steps.back().loss;
    finalCeLoss = steps.back().ceLoss;
    for (auto it = steps.rbegin(); it != steps.rend(); ++it)
        if (!std::isnan(it->valLoss)) {
            finalValLoss = it->valLoss;
            finalValStep = it->step;
            break;
        }
}

void RunSummary::setEvents(const std::vector<Event>& list) {
    events = int(list.size());
    detectorEvents = 0;
    eventKinds.clear();
    for (const Event& e : list) {
        detectorEvents += e.kind != EventKind::Note;
        ++eventKinds[e.kindName()];
    }
}

void RunSummary::addSnapshot(const ProbeSnapshot& s) {
    ++snapshots;
    finalMaxLogit = finalMinEntropy = finalMeanEntropy = kNone;
    for (float v : s.maxLogit) keepMax(finalMaxLogit, v);
    double sum = 0;
    int n = 0;
    for (float v : s.entropy) {
        keepMin(finalMinEntropy, v);
        if (std::isfinite(v)) sum += v, ++n;
    }
    if (n > 0) finalMeanEntropy = sum / n;
    keepMax(peakMaxLogit, finalMaxLogit);
    keepMin(lowestEntropy, finalMinEntropy);
}

RunSummary summarizeRun(const RecordedRun& run) {
    RunSummary s;
    s.setSteps(run.steps);
    s.setEvents(run.events);
    for (const SnapshotPtr& snap : run.snapshots)
        if (snap) s.addSnapshot(*snap);
    return s;
}

RunSummary summarizeRunFile(const RunReader& reader, SummarySnapshots snapshots) {
    RunSummary s;
    s.setSteps(reader.steps());
    s.setEvents(reader.events());
    if (snapshots == SummarySnapshots::Decode)
        for (int step : reader.snapshotSteps())
            if (const SnapshotPtr snap = reader.snapshot(step)) s.addSnapshot(*snap);
    return s;
}

} // namespace attnscope
