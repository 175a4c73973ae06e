#pragma once
// Reads the probe snapshots of an opened run, without their maps, on a worker thread and hands them to the
// run's RunData in step order, a batch per GUI tick, the way a live run grows. Opening a large run thus shows
// its curves at once (steps and events are small) while the per-head metrics arrive behind them; the maps
// stay in the file until a view draws them (RunRegistry::mapCache; loadRunFile decides when; see
// run_loader.h).
#include <QObject>
#include <QTimer>
#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/probe/snapshot.h"

namespace attnscope::gui {

class RunRegistry;

class SnapshotBackfill : public QObject {
    Q_OBJECT
public:
    SnapshotBackfill(RunRegistry& registry, int runId, std::string path, std::vector<int> steps,
                     QObject* parent = nullptr);
    ~SnapshotBackfill() override; // stops the worker after its current snapshot and joins it

    bool isDone() const { return m_delivered; }

signals:
    void done(int runId); // every snapshot delivered (or decoding stopped by an error, shown as the status)

private:
    void deliver();

    RunRegistry& m_registry;
    int m_runId;
    QTimer m_timer;
    std::thread m_worker;
    std::atomic<bool> m_stop{false}, m_workerDone{false};
    std::mutex m_mutex;
    std::deque<SnapshotPtr> m_ready; // decoded, not yet handed over
    std::string m_error;
    bool m_delivered = false;
};

} // namespace attnscope::gui
