#include "gui/compare/run_summary.h"

#include "gui/session/run_data.h"

#include <limits>

namespace attnscope::gui {

RunRow runRow(const RunData& run) {
    RunRow s;
    for (const std::string& b : run.badges()) s.mechanisms << QString::fromStdString(b);
    if (run.spec.data.bos && !run.external) s.mechanisms << QStringLiteral("BOS");
    s.shape = QString::fromStdString(run.model().shapeLine());
    const double unknown = std::numeric_limits<double>::quiet_NaN();
    s.lr = run.statesTrain("lr") ? run.spec.train.lr : unknown;
    s.weightDecay = run.statesTrain("weight_decay") ? run.spec.train.weightDecay : unknown;
    s.batch = run.statesTrain("batch") ? run.spec.train.batch : 0;
    s.plannedSteps = run.plannedSteps().value_or(0);
    s.reached = summarizeRun(run);
    QStringList parts;
    for (const auto& [kind, n] : s.reached.eventKinds)
        parts << QStringLiteral("%1 × %2").arg(n).arg(QString::fromStdString(kind));
    s.eventKinds = parts.join(QStringLiteral(", "));
    s.status = run.statusText();
    return s;
}

} // namespace attnscope::gui
