#include "gui/session/snapshot_backfill.h"

#include "core/store/run_reader.h"
#include "gui/session/run_registry.h"

#include <exception>

namespace attnscope::gui {

SnapshotBackfill::SnapshotBackfill(RunRegistry& registry, int runId, std::string path, std::vector<int> steps,
                                   QObject* parent)
    : QObject(parent), m_registry(registry), m_runId(runId) {
    m_worker = std::thread([this, path = std::move(path), steps = std::move(steps)] {
        try {
            const RunReader reader(path); // its own connection: readers are per thread
            for (int step : steps) {
                if (m_stop) break;
                if (SnapshotPtr s = reader.snapshot(step, false)) {
                    std::lock_guard lock(m_mutex);
                    m_ready.push_back(std::move(s));
                }
            }
        } catch (const std::exception& e) {
            std::lock_guard lock(m_mutex);
            m_error = e.what();
        }
        m_workerDone = true;
    });
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &SnapshotBackfill::deliver);
    m_timer.start();
}

SnapshotBackfill::~SnapshotBackfill() {
    m_stop = true;
    if (m_worker.joinable()) m_worker.join();
}

void SnapshotBackfill::deliver() {
    const bool workerDone = m_workerDone.load(); // before taking the batch: then nothing is left behind
    std::deque<SnapshotPtr> batch;
    std::string error;
    {
        std::lock_guard lock(m_mutex);
        batch.swap(m_ready);
        error = m_error;
    }
    RunData* run = m_registry.find(m_runId);
    if (!run) return m_timer.stop();
    if (!batch.empty()) {
        for (SnapshotPtr& s : batch) run->snapshots.push_back(std::move(s));
        m_registry.notifyDataAppended(m_runId);
    }
    if (!workerDone) return;
    m_timer.stop();
    m_delivered = true;
    if (!error.empty()) { // a damaged snapshot: what was decoded stays, the reason is shown
        run->statusMessage = error;
        m_registry.notifyStatusChanged(m_runId);
    }
    emit done(m_runId);
}

} // namespace attnscope::gui
