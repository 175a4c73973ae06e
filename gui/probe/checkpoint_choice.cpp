#include "gui/probe/checkpoint_choice.h"

#include "core/eval/text_probe.h"
#include "gui/session/run_data.h"

#include <QStringList>

namespace attnscope::gui {

namespace {
// "500, 1000, 1500": every step when there are few, the first and last three otherwise.
QString stepList(const std::vector<int>& steps) {
    constexpr std::size_t kShown = 8;
    QStringList parts;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (steps.size() > kShown && i == 3) {
            parts << QStringLiteral("…");
            i = steps.size() - 3;
        }
        parts << QString::number(steps[i]);
    }
    return parts.join(QStringLiteral(", "));
}
} // namespace

CheckpointChoice chooseCheckpoint(const RunData* run, int selectedStep) {
    CheckpointChoice c;
    if (!run) {
        c.text =
            QStringLiteral("Select a run to probe: open one (File › Open, File › Samples) or start one.");
        return c;
    }
    if (run->filePath.isEmpty()) {
        c.text = QStringLiteral(
                     "“%1” is not recorded to a file (recording is off or failed), so it has no checkpoints "
                     "to probe.")
                     .arg(run->name);
        return c;
    }
    if (run->checkpointSteps.empty()) {
        const int every = run->spec.train.checkpointEvery;
        // A live run that has not ended will write one (a trainer always checkpoints when it stops).
        if (run->live && (run->isActive() || run->status == RunStatus::Created))
            c.text =
                every > 0
                    ? QStringLiteral(
                          "“%1” has no checkpoint yet: its first is written at step %2 (then every "
                          "%2 steps and when training ends).")
                          .arg(run->name)
                          .arg(every)
                    : QStringLiteral("“%1” has no checkpoint yet: it writes one only when training ends.")
                          .arg(run->name);
        else
            c.text = QStringLiteral(
                         "“%1” has no checkpoint in its file, so there is no model to probe (runs keep one "
                         "every “checkpoint every” steps and when training ends).")
                         .arg(run->name);
        return c;
    }
    c.step = nearestCheckpoint(run->checkpointSteps, selectedStep);
    const QString all = QStringLiteral("checkpoints at steps %1").arg(stepList(run->checkpointSteps));
    c.text = c.step == selectedStep
                 ? QStringLiteral("Checkpoint of step %1, the selected step (%2).").arg(c.step).arg(all)
                 : QStringLiteral("Checkpoint of step %1, the nearest to the selected step %2 (%3).")
                       .arg(c.step)
                       .arg(selectedStep)
                       .arg(all);
    return c;
}

} // namespace attnscope::gui
