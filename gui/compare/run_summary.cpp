#include "gui/compare/run_summary.h"

#include "gui/session/run_data.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace attnscope::gui {

RunSummary summarize(const RunData& run) {
    RunSummary s;
    for (const std::string& b : run.badges()) s.mechanisms << QString::fromStdString(b);
    if (run.spec.data.bos && !run.external) s.mechanisms << QStringLiteral("BOS");
    s.shape = QString::fromStdString(run.model().shapeLine());
    const double unknown = std::numeric_limits<double>::quiet_NaN();
    s.lr = run.statesTrain("lr") ? run.spec.train.lr : unknown;
    s.weightDecay = run.statesTrain("weight_decay") ? run.spec.train.weightDecay : unknown;
    s.batch = run.statesTrain("batch") ? run.spec.train.batch : 0;
    s.steps = run.lastStep();
    s.plannedSteps = run.plannedSteps().value_or(0);
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
