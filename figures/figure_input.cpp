#include "figures/figure_input.h"

#include "core/run/recorded_run.h"
#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <QFileInfo>
#include <algorithm>

namespace attnscope::figures {

SnapshotPtr FigureInput::snapshotAt(int step) const {
    if (snapshots.empty()) return nullptr;
    if (step < 0) return snapshots.back();
    return snapshots[std::size_t(snapshotIndexAt(snapshots, step))];
}

FigureInput loadFigureInput(const std::string& runPath, bool maps) {
    const RunReader reader(runPath);
    // The one loading route (also behind the app's RunData). Without `maps` a map figure still reads the
    // maps of the one snapshot it draws (withMaps).
    RecordedRun run = RecordedRun::load(reader, maps ? RecordedRun::Snapshots::Decode
                                                     : RecordedRun::Snapshots::MetricsOnly);
    FigureInput in;
    in.runName = run.spec.name.empty() ? QFileInfo(QString::fromStdString(runPath)).completeBaseName()
                                       : QString::fromStdString(run.spec.name);
    in.tokenizer = std::move(run.tokenizer);
    in.steps = std::move(run.steps);
    in.snapshots = std::move(run.snapshots);
    in.events = std::move(run.events);
    in.evals = std::move(run.evals);
    in.runPath = runPath;
    return in;
}

SnapshotPtr withMaps(const SnapshotPtr& s, const std::string& runPath) {
    if (!s || !s->mapsOmitted) return s;
    if (runPath.empty()) throw Error("The maps of step " + std::to_string(s->step) + " are not loaded.");
    SnapshotPtr full = RunReader(runPath).snapshot(s->step);
    if (!full) throw Error(runPath + " has no snapshot at step " + std::to_string(s->step) + " any more.");
    return full;
}

} // namespace attnscope::figures
