#pragma once
// Reads a sweep folder off the GUI thread and follows it while cells are being trained (by this app or by
// `attnscope-cli sweep` in another process): every `interval` ms a worker thread stats the cell files and
// rereads only those that changed (CellCache), and loaded() is emitted on the GUI thread when anything did.
// Polling stops once every cell is done; open() or follow() restart it.
#include "gui/sweeps/sweep_folder.h"

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

class QTimer;

namespace attnscope::gui {

class SweepFollower : public QObject {
    Q_OBJECT
public:
    explicit SweepFollower(QObject* parent = nullptr);
    ~SweepFollower() override; // waits for a read in flight

    void open(const QString& folder); // reads it at once (on the worker), then follows
    void follow();                    // polls again (a sweep was started or resumed in the folder)
    void setInterval(int ms);
    QString folder() const { return m_folder; }
    bool isPolling() const;
    bool isReading() const { return m_busy; }

signals:
    void loaded(std::shared_ptr<const SweepData> data);
    void failed(const QString& folder, const QString& message);

private:
    void poll();
    void deliver(std::shared_ptr<const SweepData> data, bool changed, const QString& error,
                 quint64 generation);

    QString m_folder;
    QTimer* m_timer;
    std::thread m_worker;
    std::atomic<bool> m_busy{false};
    CellCache m_cache;        // touched by the worker only while m_busy
    quint64 m_generation = 0; // bumped by open(): a read of the previous folder is dropped
    int m_lastDone = -1;
};

} // namespace attnscope::gui
