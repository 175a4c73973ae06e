#include "figures/figure_input.h"

#include "core/run/recorded_run.h"
#include "core/store/run_reader.h"

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
    // The one loading route (also behind the app's RunData).
    RecordedRun run = RecordedRun::load(reader, maps ? RecordedRun::Snapshots::Decode
                                                     : RecordedRun::Snapshots::MetricsOnly);
    FigureInput in;
    in.runName = run.spec.name.empty() ? QFileInfo(QString::fromStdString(runPath)).completeBaseName()
                                       : QString::fromStdString(run.spec.name);
    in.tokenizer = std::move(run.tokenizer);
    in.steps = std::move(run.steps);
    in.snapshots = std::move(run.snapshots);
    in.events = std::move(run.events);
    return in;
}

} // namespace attnscope::figures
