#pragma once
// Runs a sweep from the app: core's SweepRunner on a worker thread (never the GUI thread), its progress
// marshalled to the GUI thread, Stop = SweepRunner::cancel() (the running cells stop after their current step
// with a final checkpoint, so the folder can be resumed). One sweep at a time.
#include "core/sweep/sweep_runner.h"

#include <QObject>
#include <QString>
#include <memory>
#include <thread>

namespace attnscope::gui {

class SweepJob : public QObject {
    Q_OBJECT
public:
    explicit SweepJob(QObject* parent = nullptr);
    ~SweepJob() override; // cancels and waits: every running cell writes its checkpoint

    // Starts `spec` into `folder`. False with `error` set when one is already running or the grid is invalid;
    // a folder in use or of other settings is reported by finished() with its message.
    bool start(const SweepSpec& spec, const QString& folder, SweepOptions options, QString* error = nullptr);
    void stop();
    bool isRunning() const { return m_running; }
    QString folder() const { return m_folder; }
    const SweepProgress& lastProgress() const { return m_last; }

signals:
    void started(const QString& folder);
    void progress(const attnscope::SweepProgress& progress);
    // `error` empty when the runner returned (finished or stopped); else its message.
    void finished(const attnscope::SweepProgress& progress, const QString& error);

private:
    std::unique_ptr<SweepRunner> m_runner;
    std::thread m_thread;
    bool m_running = false;
    QString m_folder;
    SweepProgress m_last;
};

} // namespace attnscope::gui

Q_DECLARE_METATYPE(attnscope::SweepProgress)
