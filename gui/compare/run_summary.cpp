#include "gui/compare/run_summary.h"

#include "gui/session/run_data.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace attnscope::gui {

RunSummary summarize(const RunData& run) {
    RunSummary s;
    for (const std::string& b : run.spec.model.mechanismBadges()) s.mechanisms << QString::fromStdString(b);
    if (run.spec.data.bos) s.mechanisms << QStringLiteral("BOS");
    const ModelConfig& m = run.spec.model;
    s.shape = QStringLiteral("%1L × %2H · d%3 · T%4").arg(m.layers).arg(m.heads).arg(m.dModel).arg(m.context);
    s.lr = run.spec.train.lr;
    s.weightDecay = run.spec.train.weightDecay;
    s.batch = run.spec.train.batch;
    s.steps = run.lastStep();
    s.plannedSteps = run.totalSteps();
    if (!run.steps.empty()) s.trainLoss = run.steps.back().loss;
    for (auto it = run.steps.rbegin(); it != run.steps.rend(); ++it)
        if (std::isfinite(it->valLoss)) {
            s.valLoss = it->valLoss;
            break;
        }
    for (const SnapshotPtr& snap : run.snapshots) {
        for (float v : snap->maxLogit)
            if (std::isfinite(v) && !(v <= s.maxLogit)) s.maxLogit = v;
        for (float v : snap->entropy)
            if (std::isfinite(v) && !(v >= s.minEntropy)) s.minEntropy = v;
    }
    s.events = int(run.events.size());
    std::map<std::string, int> kinds;
    for (const Event& e : run.events) ++kinds[e.kindName()];
    QStringList parts;
    for (const auto& [kind, n] : kinds)
        parts << QStringLiteral("%1 × %2").arg(n).arg(QString::fromStdString(kind));
    s.eventKinds = parts.join(QStringLiteral(", "));
    s.status = run.statusText();
    return s;
}

} // namespace attnscope::gui
