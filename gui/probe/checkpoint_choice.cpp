#include "gui/probe/checkpoint_choice.h"

#include "core/eval/text_probe.h"
#include "gui/session/run_data.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>
#include <algorithm>

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
// An imported run: the folder of the recorded step nearest to the selected one.
CheckpointChoice chooseModelFolder(const RunData& run,
                                   const std::vector<ModelDescription::CheckpointFolder>& folders,
                                   int selectedStep) {
    CheckpointChoice c;
    std::vector<int> steps;
    for (const auto& f : folders) steps.push_back(f.step);
    const int step = nearestCheckpoint(steps, selectedStep);
    const auto it =
        std::find_if(folders.begin(), folders.end(), [&](const auto& f) { return f.step == step; });
    const QString folder = QString::fromStdString(it->path);
    if (!QFileInfo(folder).isDir()) {
        c.text =
            QStringLiteral("“%1” was imported from %2, which is no longer there: put the model folder back "
                           "to probe a text through it.")
                .arg(run.name, QDir::toNativeSeparators(folder));
        return c;
    }
    c.step = step;
    c.modelFolder = folder;
    const QString where = QDir::toNativeSeparators(folder);
    c.text =
        step == selectedStep || steps.size() == 1
            ? QStringLiteral("The model in %1 (step %2).").arg(where).arg(step)
            : QStringLiteral("The model of step %1, the nearest to the selected step %2, in %3 (models at "
                             "steps %4).")
                  .arg(step)
                  .arg(selectedStep)
                  .arg(where, stepList(steps));
    return c;
}
} // namespace

CheckpointChoice chooseCheckpoint(const RunData* run, int selectedStep) {
    CheckpointChoice c;
    if (!run) {
        c.text =
            QStringLiteral("Select a run to probe: open one (File › Open, File › Samples) or start one.");
        return c;
    }
    if (run->external && !run->external->model.checkpointFolders.empty())
        return chooseModelFolder(*run, run->external->model.checkpointFolders, selectedStep);
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
