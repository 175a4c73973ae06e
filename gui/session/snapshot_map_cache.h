#pragma once
// The attention and logit maps of snapshots that were opened without them (RecordedRun::mapsOnDemand: a large
// run keeps only its metrics in memory). withMaps() hands back a snapshot with its maps when they are at hand
// and otherwise reads them on a worker thread — the GUI never waits for a decode — and emits ready(); the
// most recently used snapshots stay within a memory budget (QSettings key kBudgetKey, megabytes), so the
// app's memory does not grow with the number of snapshots a run has.
#include "core/probe/snapshot.h"

#include <QObject>
#include <QString>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <list>
#include <mutex>
#include <thread>

namespace attnscope::gui {

class SnapshotMapCache : public QObject {
    Q_OBJECT
public:
    static constexpr const char* kBudgetKey = "maps/cacheMegabytes";
    // 1 GiB: the maps of one 12 × 12 × 1024 snapshot (0.6 GB as float32) and a second one to compare with
    // fit, and the app stays under 1.5 GB.
    static constexpr int kDefaultBudgetMegabytes = 1024;

    explicit SnapshotMapCache(QObject* parent = nullptr); // budget from the settings
    ~SnapshotMapCache() override;                         // stops the worker after its current read

    void setBudgetMegabytes(int megabytes); // at least 64; stored in the settings; trims at once
    void setBudgetBytes(std::size_t bytes); // not saved in the settings (tests)
    int budgetMegabytes() const { return int(m_budget >> 20); }
    std::size_t heldBytes() const { return m_held; }

    // `light` itself when it has its maps (or the file stores none); the cached snapshot with maps; or null,
    // and the maps of (path, light->step) are read in the background: ready() or failed() follows.
    SnapshotPtr withMaps(const QString& path, const SnapshotPtr& light);
    bool isReading() const;

    // Memory a decoded snapshot takes (its arrays), as the budget counts it.
    static std::size_t bytesOf(const ProbeSnapshot& s);

signals:
    void ready(const QString& path, int step);
    void failed(const QString& path, int step, const QString& message);

private:
    struct Entry {
        QString path;
        int step;
        SnapshotPtr snapshot;
    };
    struct Request {
        QString path;
        int step;
    };
    void work();
    void deliver(const QString& path, int step, SnapshotPtr snapshot, const QString& error);
    void trim();

    std::size_t m_budget;
    std::size_t m_held = 0;
    std::list<Entry> m_entries; // most recently used first (GUI thread only)

    mutable std::mutex m_mutex; // guards the queue and the flags below
    std::condition_variable m_wake;
    std::deque<Request> m_queue; // newest first: the step on screen is read before older requests
    Request m_current{QString(), 0};
    bool m_busy = false, m_stop = false;
    std::thread m_worker;
};

} // namespace attnscope::gui
