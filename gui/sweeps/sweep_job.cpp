#include "gui/sweeps/sweep_job.h"

#include <QMetaObject>

namespace attnscope::gui {

SweepJob::SweepJob(QObject* parent) : QObject(parent) {
    qRegisterMetaType<attnscope::SweepProgress>();
}

SweepJob::~SweepJob() {
    if (m_runner) m_runner->cancel();
    if (m_thread.joinable()) m_thread.join();
}

bool SweepJob::start(const SweepSpec& spec, const QString& folder, SweepOptions options, QString* error) {
    if (m_running) {
        if (error) *error = tr("A sweep is already running in %1.").arg(m_folder);
        return false;
    }
    if (m_thread.joinable()) m_thread.join(); // the previous sweep's thread has returned
    try {
        m_runner = std::make_unique<SweepRunner>(spec, folder.toStdString(), options);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return false;
    }
    m_running = true;
    m_folder = folder;
    m_last = SweepProgress{};
    m_runner->setProgressCallback([this](const SweepProgress& p) {
        QMetaObject::invokeMethod(
            this,
            [this, p] {
                m_last = p;
                emit progress(p);
            },
            Qt::QueuedConnection);
    });
    SweepRunner* runner = m_runner.get();
    m_thread = std::thread([this, runner] {
        SweepProgress result;
        QString message;
        try {
            result = runner->run();
        } catch (const std::exception& e) {
            message = QString::fromUtf8(e.what());
            result = runner->progress();
        }
        QMetaObject::invokeMethod(
            this,
            [this, result, message] {
                m_running = false;
                m_last = result;
                emit finished(result, message);
            },
            Qt::QueuedConnection);
    });
    emit started(folder);
    return true;
}

void SweepJob::stop() {
    if (m_runner && m_running) m_runner->cancel();
}

} // namespace attnscope::gui
