#include "gui/probe/text_probe_runner.h"

#include "core/hf/hf_checkpoint.h"
#include "core/hf/hf_forward.h"
#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <QThread>
#include <algorithm>
#include <chrono>
#include <exception>
#include <new>
#include <omp.h>

namespace attnscope::gui {

TextProbeOutcome runTextProbe(const TextProbeRequest& request) {
    TextProbeOutcome outcome;
    outcome.request = request;
    const auto start = std::chrono::steady_clock::now();
    try {
        // The ICV is per thread: this sets the worker's team size without touching the trainer's.
        omp_set_num_threads(std::max(1, request.threads));
        if (!request.modelFolder.isEmpty()) {
            const hf::HfCheckpoint model(request.modelFolder.toStdString());
            outcome.result = hf::probeHfModel(model, request.tokens, request.modelStep);
        } else {
            const RunReader reader(request.filePath.toStdString());
            const int step = nearestCheckpoint(reader.checkpointSteps(), request.selectedStep);
            if (step < 0)
                throw Error("The run file " + request.filePath.toStdString() +
                            " holds no checkpoint yet, so there is no model to probe.");
            outcome.result = probeCheckpoint(reader.checkpoint(step), request.tokens, request.vocabulary);
        }
    } catch (const std::bad_alloc&) {
        outcome.error =
            QObject::tr("Not enough memory to probe this model on %1 tokens.").arg(request.tokens.size());
    } catch (const std::exception& e) {
        outcome.error = QString::fromStdString(e.what());
    } catch (...) {
        outcome.error = QObject::tr("The probe failed with an unknown error.");
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

TextProbeRunner::TextProbeRunner(QObject* parent) : QObject(parent) {
    qRegisterMetaType<TextProbeOutcome>();
}

TextProbeRunner::~TextProbeRunner() {
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void TextProbeRunner::submit(TextProbeRequest request) {
    if (m_thread) {
        m_waiting = std::move(request);
        return;
    }
    launch(std::move(request));
    emit busyChanged(true);
}

void TextProbeRunner::launch(TextProbeRequest request) {
    auto outcome = std::make_shared<TextProbeOutcome>();
    m_running = outcome;
    m_thread = QThread::create([outcome, request = std::move(request)] { *outcome = runTextProbe(request); });
    m_thread->setObjectName(QStringLiteral("text probe"));
    connect(m_thread, &QThread::finished, this, &TextProbeRunner::collect);
    m_thread->start(QThread::LowPriority); // the GUI and a training run come first
}

void TextProbeRunner::collect() {
    m_thread->wait(); // finished() is emitted just before the thread's last instructions
    m_thread->deleteLater();
    m_thread = nullptr;
    const std::shared_ptr<TextProbeOutcome> outcome = std::move(m_running);
    if (m_waiting) {
        // A newer request arrived meanwhile: this result answers a question nobody asks any more.
        TextProbeRequest next = std::move(*m_waiting);
        m_waiting.reset();
        launch(std::move(next));
        return;
    }
    emit busyChanged(false);
    emit finished(*outcome);
}

} // namespace attnscope::gui
