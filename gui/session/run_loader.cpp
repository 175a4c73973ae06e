#include "gui/session/run_loader.h"

#include "core/store/run_reader.h"

#include <QFileInfo>

namespace attnscope::gui {

RunData loadRunFile(const QString& path, std::uint64_t backgroundFrom) {
    const RunReader reader(path.toStdString());
    const StatusRecord status = reader.status();
    // A run somebody may still be writing is decoded here: its LiveFollower appends after what is loaded.
    const bool writing = status.status == RunStatus::Training || status.status == RunStatus::Paused ||
                         status.status == RunStatus::Created;
    const bool background = !writing && QFileInfo(path).size() >= qint64(backgroundFrom);
    RunData run;
    static_cast<RecordedRun&>(run) =
        RecordedRun::load(reader, background ? RecordedRun::Snapshots::Skip : RecordedRun::Snapshots::Decode);
    if (background) run.pendingSnapshots = reader.snapshotSteps();
    run.mapsOnDemand = background; // the backfill reads metrics only; views read maps through the map cache
    // A file whose writer died mid-run still says "training"; nobody is training it now (a LiveFollower
    // marks it training again when somebody is).
    run.settleInterrupted();
    run.name =
        run.spec.name.empty() ? QFileInfo(path).completeBaseName() : QString::fromStdString(run.spec.name);
    run.filePath = path;
    return run;
}

} // namespace attnscope::gui
