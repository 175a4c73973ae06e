#include "gui/session/run_data.h"

#include <algorithm>

namespace attnscope::gui {

QString RunData::statusText() const {
    const QString message = QString::fromStdString(statusMessage);
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
        return message.isEmpty() ? QStringLiteral("failed") : QStringLiteral("failed: %1").arg(message);
    case RunStatus::Unknown: // a newer writer's status: its stored name (and message) as recorded
        return message;
    }
    return {};
}

} // namespace attnscope::gui
