#include "figures/figure_comparison.h"

#include "core/util/error.h"

namespace attnscope::figures {

QString snapshotShape(const ProbeSnapshot& s) {
    return QStringLiteral("%1 layers × %2 heads × T=%3").arg(s.layers).arg(s.heads).arg(s.length);
}

QString shapeMismatch(const ProbeSnapshot& a, const QString& aName, const ProbeSnapshot& b,
                      const QString& bName) {
    if (a.layers == b.layers && a.heads == b.heads && a.length == b.length) return {};
    return QStringLiteral("Cannot difference %1 (%2) against %3 (%4): maps are subtracted cell by cell, so "
                          "layers, heads and probe length must match.")
        .arg(aName, snapshotShape(a), bName, snapshotShape(b));
}

QString comparisonLabel(const QString& otherRun, int step) {
    return otherRun.isEmpty() ? QStringLiteral("step %1").arg(step)
                              : QStringLiteral("%1 step %2").arg(otherRun).arg(step);
}

void setComparison(FigureInput& in, const FigureRequest& request, const FigureInput* against, int step) {
    const SnapshotPtr shown = in.snapshotAt(request.step);
    const FigureInput& source = against ? *against : in;
    const SnapshotPtr other = source.snapshotAt(step >= 0 ? step : shown ? shown->step : -1);
    if (!other)
        throw Error("The run " + source.runName.toStdString() +
                    " has no attention snapshots to compare with.");
    in.comparison = other;
    in.comparisonPath = source.runPath;
    in.comparisonLabel = comparisonLabel(against ? against->runName : QString(), other->step);
}

} // namespace attnscope::figures
