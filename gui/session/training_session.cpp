#include "gui/session/training_session.h"

#include "core/store/run_recorder.h"
#include "core/train/trainer.h"
#include "gui/session/run_registry.h"

#include <exception>
#include <type_traits>
#include <variant>

namespace attnscope::gui {

TrainingSession::TrainingSession(RunRegistry& registry, int runId, std::unique_ptr<Trainer> trainer,
                                 QObject* parent)
    : QObject(parent), m_registry(registry), m_runId(runId), m_trainer(std::move(trainer)),
      m_subscription(m_trainer->bus().subscribe()) {
    m_pullTimer.setInterval(kPullIntervalMs);
    connect(&m_pullTimer, &QTimer::timeout, this, &TrainingSession::pull);
}

namespace {
// SQLite transactions on the GUI thread: a few per second keep the file current without costing frames.
constexpr int kPullsPerRecord = 8;
} // namespace

TrainingSession::~TrainingSession() {
    if (m_thread.joinable()) {
        m_trainer->requestStop();
        m_trainer->setPaused(false);
        m_thread.join();
    }
    if (m_recorder) m_recorder->pump(); // the final status change reaches the file
}

void TrainingSession::attachRecorder(std::unique_ptr<RunRecorder> recorder) {
    m_recorder = std::move(recorder);
}

QString TrainingSession::recordingError() const {
    return m_recorder ? QString::fromStdString(m_recorder->error()) : QString();
}

void TrainingSession::record() {
    if (!m_recorder) return;
    m_pullsSinceRecord = 0;
    m_recorder->pump();
    if (m_recorder->healthy() && !m_unrecordedCheckpoints.empty()) {
        if (RunData* run = m_registry.find(m_runId)) {
            run->checkpointSteps.insert(run->checkpointSteps.end(), m_unrecordedCheckpoints.begin(),
                                        m_unrecordedCheckpoints.end());
            m_registry.notifyDataAppended(m_runId);
        }
        m_unrecordedCheckpoints.clear();
    }
    if (!m_recorder->healthy() && !m_recordingFailed) {
        m_recordingFailed = true;
        emit recordingFailed(m_runId, QString::fromStdString(m_recorder->error()));
    } else if (m_recorder->healthy()) {
        m_recordingFailed = false;
    }
}

void TrainingSession::start() {
    if (m_thread.joinable() || m_finished) return;
    m_thread = std::thread([this] {
        try {
            m_trainer->run();
        } catch (const std::exception& e) {
            std::lock_guard lock(m_errorMutex);
            m_workerError = e.what();
        } catch (...) {
            std::lock_guard lock(m_errorMutex);
            m_workerError = "unknown error in the training thread";
        }
        m_workerDone = true;
    });
    m_pullTimer.start();
}

void TrainingSession::setPaused(bool paused) {
    if (m_finished) return;
    m_trainer->setPaused(paused);
    pull(); // show the trainer's status change promptly
}

bool TrainingSession::isPaused() const {
    return m_trainer->paused();
}

void TrainingSession::requestStop() {
    if (m_finished) return;
    m_trainer->requestStop();
    m_trainer->setPaused(false); // a paused trainer must wake up to notice the stop
}

void TrainingSession::stopAndWait() {
    if (m_finished || !m_thread.joinable()) return;
    requestStop();
    m_thread.join();
    m_workerDone = true;
    pull();
}

void TrainingSession::pull() {
    // Read the flag before draining: everything published before run() returned is then in this drain.
    const bool workerDone = m_workerDone.load();
    m_inbox.clear();
    m_subscription->drain(m_inbox);

    RunData* run = m_registry.find(m_runId);
    if (run) {
        run->threads = m_trainer->threads();
        bool appended = false, statusChanged = false;
        for (auto& message : m_inbox) {
            std::visit(
                [&](auto& m) {
                    using T = std::decay_t<decltype(m)>;
                    if constexpr (std::is_same_v<T, StepRecord>) {
                        run->steps.push_back(m);
                        appended = true;
                    } else if constexpr (std::is_same_v<T, SnapshotPtr>) {
                        if (m) run->snapshots.push_back(std::move(m));
                        appended = true;
                    } else if constexpr (std::is_same_v<T, Event>) {
                        run->events.push_back(std::move(m));
                        appended = true;
                    } else if constexpr (std::is_same_v<T, EvalRecord>) {
                        run->evals.push_back(std::move(m));
                        appended = true;
                    } else if constexpr (std::is_same_v<T, CheckpointSaved>) {
                        // The bytes are the recorder's to write; the step reaches RunData once they are
                        // in the file, where a probe reads them (record()). The recorder subscribed before
                        // this session, so the bus has always handed it the message first.
                        if (m_recorder) m_unrecordedCheckpoints.push_back(m.step);
                    } else if constexpr (std::is_same_v<T, StatusChange>) {
                        run->status = m.status;
                        run->statusStep = m.step;
                        run->statusMessage = QString::fromStdString(m.message);
                        statusChanged = true;
                    }
                },
                message);
        }
        if (appended) m_registry.notifyDataAppended(m_runId);
        if (statusChanged) m_registry.notifyStatusChanged(m_runId);
    }
    m_inbox.clear();
    if (++m_pullsSinceRecord >= kPullsPerRecord) record();
    if (workerDone && !m_finished) finish();
}

void TrainingSession::finish() {
    if (m_thread.joinable()) m_thread.join();
    m_pullTimer.stop();
    m_finished = true;
    record(); // everything up to the final status is on disk before anyone is told the run ended
    if (RunData* run = m_registry.find(m_runId)) {
        std::string error;
        {
            std::lock_guard lock(m_errorMutex);
            error = m_workerError;
        }
        const bool terminal = run->status == RunStatus::Finished || run->status == RunStatus::Stopped ||
                              run->status == RunStatus::Diverged || run->status == RunStatus::Failed;
        if (!error.empty()) {
            run->status = RunStatus::Failed;
            run->statusMessage = QString::fromStdString(error);
            run->statusStep = run->lastStep();
            m_registry.notifyStatusChanged(m_runId);
        } else if (!terminal) {
            // The trainer returned without announcing why; its own status is the truth.
            run->status = m_trainer->status();
            if (run->status == RunStatus::Training || run->status == RunStatus::Paused)
                run->status = RunStatus::Stopped;
            run->statusStep = run->lastStep();
            m_registry.notifyStatusChanged(m_runId);
        }
    }
    emit finished(m_runId);
}

} // namespace attnscope::gui
