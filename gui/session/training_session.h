#pragma once
// One live run: a Trainer stepping on its own std::thread, and a GUI-thread timer that pulls the trainer's
// telemetry into the run's RunData at a fixed rate (≤ 30 Hz), whatever the training speed. The worker never
// touches Qt; the GUI never touches the model — the TelemetrySubscription is the only shared state.
#include "core/train/telemetry.h"

#include <QObject>
#include <QTimer>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace attnscope {
class RunRecorder;
class Trainer;
} // namespace attnscope

namespace attnscope::gui {

class RunRegistry;

class TrainingSession : public QObject {
    Q_OBJECT
public:
    static constexpr int kPullIntervalMs = 33;

    // `trainer` is already constructed (construction validates the spec and may throw; the caller reports
    // that). The session subscribes before the worker starts so no message is missed.
    TrainingSession(RunRegistry& registry, int runId, std::unique_ptr<Trainer> trainer,
                    QObject* parent = nullptr);
    ~TrainingSession() override; // stops and joins: a session never outlives its thread

    int runId() const { return m_runId; }
    Trainer& trainer() { return *m_trainer; }
    // Writes the run file from the session's timer (its own subscription, so the GUI's is not disturbed).
    // Must be attached before start().
    void attachRecorder(std::unique_ptr<RunRecorder> recorder);
    bool isRecording() const { return m_recorder != nullptr; }
    QString recordingError() const; // empty while the file is written fine

    void start();
    void setPaused(bool paused);
    bool isPaused() const;
    void requestStop();
    // Blocks until the worker has returned, then pulls the last messages. Safe to call repeatedly.
    void stopAndWait();
    bool isRunning() const { return m_thread.joinable() && !m_finished; }
    bool hasFinished() const { return m_finished; }

public slots:
    // Moves every pending telemetry message into RunData and notifies the registry once per kind.
    void pull();

signals:
    void finished(int runId);
    void recordingFailed(int runId, const QString& message); // once per failure episode

private:
    void finish();
    void record();

    RunRegistry& m_registry;
    int m_runId = 0;
    std::unique_ptr<Trainer> m_trainer;
    std::shared_ptr<TelemetrySubscription> m_subscription;
    std::vector<TelemetryMessage> m_inbox; // reused between pulls
    QTimer m_pullTimer;
    std::thread m_thread;
    std::atomic<bool> m_workerDone{false};
    std::mutex m_errorMutex;
    std::string m_workerError; // exception text from run(), reported as Failed
    bool m_finished = false;
    std::unique_ptr<RunRecorder> m_recorder;
    int m_pullsSinceRecord = 0;
    std::vector<int> m_unrecordedCheckpoints; // published by the trainer, not yet in the run file
    bool m_recordingFailed = false;
};

} // namespace attnscope::gui
