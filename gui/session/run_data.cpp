#include "gui/session/run_data.h"

#include <algorithm>

namespace attnscope::gui {

SnapshotPtr RunData::snapshotAt(int step) const {
    const int index = snapshotIndexAt(snapshots, step);
    return index < 0 ? nullptr : snapshots[std::size_t(index)];
}

QString RunData::statusText() const {
    switch (status) {
    case RunStatus::Created:
        return live ? QStringLiteral("starting") : QStringLiteral("loaded");
    case RunStatus::Training:
        return QStringLiteral("training");
    case RunStatus::Paused:
        return QStringLiteral("paused at step %1").arg(lastStep());
    case RunStatus::Finished:
        return QStringLiteral("finished");
    case RunStatus::Stopped:
        return QStringLiteral("stopped at step %1").arg(statusStep);
    case RunStatus::Diverged:
        return QStringLiteral("diverged at step %1").arg(statusStep);
    case RunStatus::Failed:
        return statusMessage.isEmpty() ? QStringLiteral("failed")
                                       : QStringLiteral("failed: %1").arg(statusMessage);
    }
    return {};
}

} // namespace attnscope::gui
