#include "gui/inspect/live_follower.h"

#include "core/store/run_reader.h"
#include "gui/session/run_loader.h"
#include "gui/session/run_registry.h"

#include <QTimer>
#include <algorithm>
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
        const RunUpdate update = m_reader->poll(*m_cursor);
        if (update.rewound) {
            // The writer resumed from an earlier checkpoint: reload the whole run.
            RunData fresh = loadRunFile(m_path);
            run->steps = std::move(fresh.steps);
            run->snapshots = std::move(fresh.snapshots);
            run->events = std::move(fresh.events);
            run->evals = std::move(fresh.evals);
            run->checkpointSteps = std::move(fresh.checkpointSteps);
        } else {
            for (const StepRecord& r : update.steps)
                if (r.step > run->lastStep()) run->steps.push_back(r);
            for (int step : update.snapshotSteps)
                if (run->snapshots.empty() || step > run->snapshots.back()->step)
                    if (SnapshotPtr s = m_reader->snapshot(step)) run->snapshots.push_back(std::move(s));
            for (const Event& e : update.events)
                if (std::none_of(run->events.begin(), run->events.end(), [&](const Event& o) {
                        return o.step == e.step && o.kind == e.kind && o.message == e.message;
                    }))
                    run->events.push_back(e);
            run->evals.insert(run->evals.end(), update.evals.begin(), update.evals.end());
            for (int step : update.checkpointSteps)
                if (run->checkpointSteps.empty() || step > run->checkpointSteps.back())
                    run->checkpointSteps.push_back(step);
        }
        if (!update.empty()) m_registry.notifyDataAppended(m_runId);
        if (!update.statusChanges.empty()) {
            const StatusRecord& s = update.statusChanges.back();
            run->status = s.status;
            run->statusStep = s.step;
            run->statusMessage = QString::fromStdString(s.message);
            m_registry.notifyStatusChanged(m_runId);
            if (s.status != RunStatus::Training && s.status != RunStatus::Paused) m_timer->stop();
        }
    } catch (const std::exception& e) {
        // A damaged or vanished file ends following; the data read so far stays on screen.
        run->statusMessage = QString::fromStdString(e.what());
        m_timer->stop();
    }
}

} // namespace attnscope::gui
