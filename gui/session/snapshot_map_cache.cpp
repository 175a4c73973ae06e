#include "gui/session/snapshot_map_cache.h"

#include "core/store/run_reader.h"

#include <QMetaObject>
#include <QSettings>
#include <algorithm>
#include <exception>
#include <map>
#include <memory>
#include <new>

namespace attnscope::gui {

namespace {

// Requests for other snapshots are dropped beyond this: scrubbing the timeline must not queue a backlog.
constexpr std::size_t kMaxQueued = 2;

} // namespace

SnapshotMapCache::SnapshotMapCache(QObject* parent) : QObject(parent) {
    const int megabytes = QSettings().value(kBudgetKey, kDefaultBudgetMegabytes).toInt();
    m_budget = std::size_t(std::max(64, megabytes)) << 20;
    m_worker = std::thread([this] { work(); });
}

SnapshotMapCache::~SnapshotMapCache() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_queue.clear();
    }
    m_wake.notify_all();
    m_worker.join();
}

void SnapshotMapCache::setBudgetMegabytes(int megabytes) {
    megabytes = std::max(64, megabytes);
    QSettings().setValue(kBudgetKey, megabytes);
    setBudgetBytes(std::size_t(megabytes) << 20);
}

void SnapshotMapCache::setBudgetBytes(std::size_t bytes) {
    m_budget = bytes;
    trim();
}

std::size_t SnapshotMapCache::bytesOf(const ProbeSnapshot& s) {
    return (s.attention.size() + s.logits.size() + s.keyProfile.size() + s.valueNorm.size() +
            s.residualNorm.size()) *
           sizeof(float);
}

bool SnapshotMapCache::isReading() const {
    std::lock_guard lock(m_mutex);
    return m_busy || !m_queue.empty();
}

SnapshotPtr SnapshotMapCache::withMaps(const QString& path, const SnapshotPtr& light) {
    if (!light || !light->mapsOmitted) return light;
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
        if (it->path == path && it->step == light->step) {
            m_entries.splice(m_entries.begin(), m_entries, it); // most recently used
            return it->snapshot;
        }
    {
        std::lock_guard lock(m_mutex);
        const auto same = [&](const Request& r) { return r.path == path && r.step == light->step; };
        if (!(m_busy && same(m_current)) && std::none_of(m_queue.begin(), m_queue.end(), same)) {
            m_queue.push_front({path, light->step});
            if (m_queue.size() > kMaxQueued) m_queue.pop_back();
        }
    }
    m_wake.notify_one();
    return nullptr;
}

void SnapshotMapCache::work() {
    std::map<QString, std::unique_ptr<RunReader>> readers; // one connection per file, on this thread
    for (;;) {
        Request request;
        {
            std::unique_lock lock(m_mutex);
            m_busy = false;
            m_wake.wait(lock, [&] { return m_stop || !m_queue.empty(); });
            if (m_stop) return;
            request = m_queue.front();
            m_queue.pop_front();
            m_current = request;
            m_busy = true;
        }
        SnapshotPtr snapshot;
        QString error;
        try {
            auto& reader = readers[request.path];
            if (!reader) reader = std::make_unique<RunReader>(request.path.toStdString());
            snapshot = reader->snapshot(request.step);
            if (!snapshot)
                error = tr("%1 has no snapshot at step %2 any more.").arg(request.path).arg(request.step);
        } catch (const std::bad_alloc&) {
            error = tr("Not enough memory to decode the maps of step %1.").arg(request.step);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
            readers.erase(request.path); // reopened on the next request (e.g. the file was replaced)
        }
        QMetaObject::invokeMethod(
            this, [this, request, snapshot, error] { deliver(request.path, request.step, snapshot, error); },
            Qt::QueuedConnection);
    }
}

void SnapshotMapCache::deliver(const QString& path, int step, SnapshotPtr snapshot, const QString& error) {
    if (!snapshot) {
        emit failed(path, step, error);
        return;
    }
    m_held += bytesOf(*snapshot);
    m_entries.push_front({path, step, std::move(snapshot)});
    trim();
    emit ready(path, step);
}

void SnapshotMapCache::trim() {
    // The newest entry always stays (it is what the user asked for), even above the budget.
    while (m_entries.size() > 1 && m_held > m_budget) {
        m_held -= bytesOf(*m_entries.back().snapshot);
        m_entries.pop_back();
    }
}

} // namespace attnscope::gui
