#include "gui/compare/run_summary.h"

#include "gui/session/run_data.h"

namespace attnscope::gui {

RunRow runRow(const RunData& run) {
    RunRow s;
    for (const std::string& b : run.spec.model.mechanismBadges()) s.mechanisms << QString::fromStdString(b);
    if (run.spec.data.bos) s.mechanisms << QStringLiteral("BOS");
    const ModelConfig& m = run.spec.model;
    s.shape = QStringLiteral("%1L × %2H · d%3 · T%4").arg(m.layers).arg(m.heads).arg(m.dModel).arg(m.context);
    s.lr = run.spec.train.lr;
    s.weightDecay = run.spec.train.weightDecay;
    s.batch = run.spec.train.batch;
    s.plannedSteps = run.totalSteps();
    s.reached = summarizeRun(run);
    QStringList parts;
    for (const auto& [kind, n] : s.reached.eventKinds)
        parts << QStringLiteral("%1 × %2").arg(n).arg(QString::fromStdString(kind));
    s.eventKinds = parts.join(QStringLiteral(", "));
    s.status = run.statusText();
    return s;
}

} // namespace attnscope::gui
