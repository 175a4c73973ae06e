#pragma once
// The app's adapter over one RunDriver (core/run/run_driver.h): the driver trains on its own thread and
// writes the run file on another; a GUI-thread timer pulls the trainer's telemetry into the run's RunData at
// a fixed rate (≤ 30 Hz), whatever the training speed (PlotJuggler-style). The GUI never touches the model
// or the file — its TelemetrySubscription is the only shared state.
#include "core/train/telemetry.h"

#include <QObject>
#include <QTimer>
#include <memory>
#include <vector>

namespace attnscope {
class RunDriver;
class Trainer;
} // namespace attnscope

namespace attnscope::gui {

class RunRegistry;

class TrainingSession : public QObject {
    Q_OBJECT
public:
    static constexpr int kPullIntervalMs = 33;

    // `driver` is already built (and recording, when the run is recorded): building validates the spec and
    // may throw; the caller reports that. The session subscribes before the driver starts so no message is
    // missed.
    TrainingSession(RunRegistry& registry, int runId, std::unique_ptr<RunDriver> driver,
                    QObject* parent = nullptr);
    ~TrainingSession() override; // stops and joins: a session never outlives its threads

    int runId() const { return m_runId; }
    RunDriver& driver() { return *m_driver; }
    Trainer& trainer();
    bool isRecording() const;
    QString recordingError() const; // empty while the file is written fine

    void start();
    void setPaused(bool paused);
    bool isPaused() const;
    void requestStop();
    // Blocks until the driver has finished (trainer returned, file flushed), then pulls the last messages.
    // Safe to call repeatedly.
    void stopAndWait();
    bool isRunning() const;
    bool hasFinished() const { return m_finished; }

public slots:
    // Moves every pending telemetry message into RunData and notifies the registry once per kind.
    void pull();

signals:
    void finished(int runId);
    void recordingFailed(int runId, const QString& message); // once per failure episode

private:
    void finish();
    void checkRecording();

    RunRegistry& m_registry;
    int m_runId = 0;
    std::unique_ptr<RunDriver> m_driver;
    std::shared_ptr<TelemetrySubscription> m_subscription;
    std::vector<TelemetryMessage> m_inbox; // reused between pulls
    QTimer m_pullTimer;
    bool m_finished = false;
    bool m_recordingFailed = false;
};

} // namespace attnscope::gui
