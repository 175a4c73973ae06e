#include "gui/sweeps/sweep_follower.h"

#include <QMetaObject>
#include <QTimer>

namespace attnscope::gui {

SweepFollower::SweepFollower(QObject* parent) : QObject(parent), m_timer(new QTimer(this)) {
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &SweepFollower::poll);
}

SweepFollower::~SweepFollower() {
    if (m_worker.joinable()) m_worker.join();
}

void SweepFollower::setInterval(int ms) {
    m_timer->setInterval(ms);
}

bool SweepFollower::isPolling() const {
    return m_timer->isActive();
}

void SweepFollower::open(const QString& folder) {
    if (m_worker.joinable()) m_worker.join(); // a read of the previous folder: short, and dropped below
    m_folder = folder;
    m_cache.clear();
    m_lastDone = -1;
    ++m_generation;
    poll();
    m_timer->start();
}

void SweepFollower::follow() {
    if (m_folder.isEmpty()) return;
    if (!m_timer->isActive()) m_timer->start();
    poll();
}

void SweepFollower::poll() {
    if (m_folder.isEmpty() || m_busy) return;
    if (m_worker.joinable()) m_worker.join(); // finished: m_busy is false
    m_busy = true;
    const QString folder = m_folder;
    const quint64 generation = m_generation;
    m_worker = std::thread([this, folder, generation] {
        std::shared_ptr<const SweepData> data;
        QString error;
        bool changed = false;
        try {
            data = readSweepFolder(folder, &m_cache, &changed);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        // Queued to this object: if it is destroyed first, its destructor joined this thread and Qt drops
        // the call with the object.
        QMetaObject::invokeMethod(
            this, [this, data, changed, error, generation] { deliver(data, changed, error, generation); },
            Qt::QueuedConnection);
        m_busy = false;
    });
}

void SweepFollower::deliver(std::shared_ptr<const SweepData> data, bool changed, const QString& error,
                            quint64 generation) {
    if (generation != m_generation) return;
    if (!data) {
        m_timer->stop();
        emit failed(m_folder, error);
        return;
    }
    const bool first = m_lastDone < 0;
    if (first || changed || data->done() != m_lastDone) {
        m_lastDone = data->done();
        emit loaded(data);
    }
    // Nothing more will change once every cell is done. An unfinished folder is polled on (stat calls,
    // cheap): a sweep may be started or resumed in it at any time, from the command line too.
    if (data->allDone()) m_timer->stop();
}

} // namespace attnscope::gui
