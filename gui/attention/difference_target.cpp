#include "gui/attention/difference_target.h"

#include "figures/figure_comparison.h"
#include "gui/session/run_registry.h"

#include <QCoreApplication>
#include <algorithm>

namespace attnscope::gui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("DifferenceTarget", text);
}

// The snapshot of `source` to subtract at `step`, with a note when it is not recorded at that step.
DifferenceTarget atStep(const RunData& source, bool sameRun, int step, QString note) {
    DifferenceTarget t;
    t.snapshot = source.snapshotAt(step);
    if (!t.snapshot) {
        t.warning = tr("“%1” has no attention snapshots to compare with.").arg(source.name);
        return t;
    }
    t.label = figures::comparisonLabel(sameRun ? QString() : source.name, t.snapshot->step);
    if (t.snapshot->step < step)
        note = tr("nearest recorded at or before step %1").arg(step);
    else if (t.snapshot->step > step)
        note = tr("nothing recorded at or before step %1: the first snapshot").arg(step);
    t.note = note;
    return t;
}

} // namespace

DifferenceTarget resolveDifference(const RunRegistry& registry, const RunData& run, const SnapshotPtr& shown,
                                   CompareTo kind, int otherRun) {
    DifferenceTarget t;
    if (kind == CompareTo::Nothing || !shown) return t;
    const bool pinned = kind == CompareTo::Pinned || kind == CompareTo::RunPinned;
    if (pinned && !run.pinnedStep) {
        t.warning = tr("No step A pinned for “%1”: press A (or Pin A on the timeline) at the step to "
                       "compare against, then move to step B.")
                        .arg(run.name);
        return t;
    }
    if (kind == CompareTo::Previous) {
        const auto it = std::find(run.snapshots.begin(), run.snapshots.end(), shown);
        if (it == run.snapshots.begin() || it == run.snapshots.end()) {
            t.warning = tr("Step %1 is the first snapshot: there is no previous one.").arg(shown->step);
            return t;
        }
        t = atStep(run, true, (*(it - 1))->step, {});
        t.run = run.id;
        t.step = t.snapshot->step;
        return t;
    }
    const RunData* source = kind == CompareTo::Pinned ? &run : registry.find(otherRun);
    if (!source) return t;
    const int step = pinned ? *run.pinnedStep : shown->step;
    t = atStep(*source, source == &run, step, pinned ? tr("B − A, A pinned") : QString());
    if (!t.snapshot) return t;
    const QString mismatch =
        figures::shapeMismatch(*shown, tr("“%1” step %2").arg(run.name).arg(shown->step), *t.snapshot,
                               tr("“%1” step %2").arg(source->name).arg(t.snapshot->step));
    if (!mismatch.isEmpty())
        return DifferenceTarget{nullptr, {}, {}, mismatch + tr(" Showing plain maps."), 0, -1};
    t.run = source->id;
    t.step = kind == CompareTo::RunSameStep ? -1 : t.snapshot->step;
    if (t.snapshot == shown) t.note = tr("B = A: move the timeline away from A to see a change");
    return t;
}

} // namespace attnscope::gui
