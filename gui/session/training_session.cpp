#include "gui/session/training_session.h"

#include "core/run/run_driver.h"
#include "core/train/trainer.h"
#include "gui/session/run_registry.h"

namespace attnscope::gui {

TrainingSession::TrainingSession(RunRegistry& registry, int runId, std::unique_ptr<RunDriver> driver,
                                 QObject* parent)
    : QObject(parent), m_registry(registry), m_runId(runId), m_driver(std::move(driver)),
      m_subscription(m_driver->bus().subscribe(kFrontEndPendingBulky)) {
    m_pullTimer.setInterval(kPullIntervalMs);
    connect(&m_pullTimer, &QTimer::timeout, this, &TrainingSession::pull);
}

TrainingSession::~TrainingSession() = default; // the driver stops, joins and flushes

Trainer& TrainingSession::trainer() {
    return m_driver->trainer();
}

bool TrainingSession::isRecording() const {
    return m_driver->isRecording();
}

QString TrainingSession::recordingError() const {
    return QString::fromStdString(m_driver->recordingError());
}

bool TrainingSession::isRunning() const {
    return m_driver->started() && !m_finished;
}

void TrainingSession::checkRecording() {
    // Checkpoints reach RunData once they are in the file, where a probe reads them.
    if (const std::vector<int> steps = m_driver->takeRecordedCheckpoints(); !steps.empty()) {
        if (RunData* run = m_registry.find(m_runId)) {
            run->checkpointSteps.insert(run->checkpointSteps.end(), steps.begin(), steps.end());
            m_registry.notifyDataAppended(m_runId);
        }
    }
    const std::string error = m_driver->recordingError();
    if (!error.empty() && !m_recordingFailed) {
        m_recordingFailed = true;
        emit recordingFailed(m_runId, QString::fromStdString(error));
    } else if (error.empty()) {
        m_recordingFailed = false;
    }
}

void TrainingSession::start() {
    if (m_driver->started() || m_finished) return;
    m_driver->start();
    m_pullTimer.start();
}

void TrainingSession::setPaused(bool paused) {
    if (m_finished) return;
    m_driver->setPaused(paused);
    pull(); // show the trainer's status change promptly
}

bool TrainingSession::isPaused() const {
    return m_driver->paused();
}

void TrainingSession::requestStop() {
    if (m_finished) return;
    m_driver->requestStop();
}

void TrainingSession::stopAndWait() {
    if (m_finished || !m_driver->started()) return;
    m_driver->requestStop();
    m_driver->wait();
    pull();
}

void TrainingSession::pull() {
    // Read the flag before draining: everything published before the driver finished is in this drain.
    const bool driverDone = m_driver->finished();
    m_inbox.clear();
    m_subscription->drain(m_inbox);

    if (RunData* run = m_registry.find(m_runId)) {
        run->threads = m_driver->threads();
        bool appended = false, statusChanged = false;
        for (auto& message : m_inbox) {
            const RecordedRun::Change change = run->apply(message);
            appended |= change.appended;
            statusChanged |= change.statusChanged;
        }
        if (appended) m_registry.notifyDataAppended(m_runId);
        if (statusChanged) m_registry.notifyStatusChanged(m_runId);
    }
    m_inbox.clear();
    checkRecording();
    if (driverDone && !m_finished) finish();
}

void TrainingSession::finish() {
    m_pullTimer.stop();
    m_finished = true;
    // The driver has flushed the file and published its final status (Failed with the trainer's message
    // included) on the bus, so RunData already shows how the run ended.
    emit finished(m_runId);
}

} // namespace attnscope::gui
