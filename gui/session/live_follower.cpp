#include "gui/session/live_follower.h"

#include "core/store/run_reader.h"
#include "gui/session/run_registry.h"

#include <QTimer>
#include <exception>

namespace attnscope::gui {

bool LiveFollower::isBeingWritten(const QString& path) {
    try {
        const RunStatus s = RunReader(path.toStdString()).status().status;
        return s == RunStatus::Training || s == RunStatus::Paused || s == RunStatus::Created;
    } catch (const std::exception&) {
        return false;
    }
}

LiveFollower::LiveFollower(RunRegistry& registry, int runId, const QString& path, QObject* parent)
    : QObject(parent), m_registry(registry), m_runId(runId), m_path(path),
      m_reader(std::make_unique<RunReader>(path.toStdString())), m_cursor(std::make_unique<RunCursor>()),
      m_timer(new QTimer(this)) {
    // The run was loaded just before; a first poll moves the cursor past what was there. Anything written
    // in between is de-duplicated by step in pollNow().
    (void)m_reader->poll(*m_cursor);
    m_timer->setInterval(500); // the CLI records at most a few snapshots a second on this CPU
    connect(m_timer, &QTimer::timeout, this, &LiveFollower::pollNow);
    m_timer->start();
    if (RunData* run = m_registry.find(m_runId)) {
        run->status = RunStatus::Training; // the loader marks unfinished files stopped; this one is live
        m_registry.notifyStatusChanged(m_runId);
    }
}

LiveFollower::~LiveFollower() = default;

bool LiveFollower::isFollowing() const {
    return m_timer->isActive();
}

void LiveFollower::pollNow() {
    RunData* run = m_registry.find(m_runId);
    if (!run) return m_timer->stop();
    try {
        const RecordedRun::Change change = run->apply(m_reader->poll(*m_cursor), *m_reader);
        if (change.appended) m_registry.notifyDataAppended(m_runId);
        if (change.statusChanged) {
            m_registry.notifyStatusChanged(m_runId);
            if (!run->isActive()) m_timer->stop();
        }
    } catch (const std::exception& e) {
        // A damaged or vanished file ends following; the data read so far stays on screen.
        run->statusMessage = e.what();
        m_timer->stop();
    }
}

} // namespace attnscope::gui
