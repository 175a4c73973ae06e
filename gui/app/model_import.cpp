#include "gui/app/model_import.h"

#include "core/hf/hf_import.h"
#include "gui/session/session_manager.h"

#include <QDir>
#include <QFileInfo>
#include <QThread>

namespace attnscope::gui {

ModelImport::ModelImport(QObject* parent) : QObject(parent) {}

ModelImport::~ModelImport() {
    if (m_thread) m_thread->wait();
}

QString ModelImport::runPathFor(const QString& folder) {
    const QDir dir(SessionManager::defaultRunDirectory() + "/imported");
    return dir.filePath(QFileInfo(QDir::cleanPath(folder)).fileName() + ".attnrun");
}

bool ModelImport::start(const QString& folder) {
    if (m_thread) return false;
    const QString out = runPathFor(folder);
    auto error = std::make_shared<QString>();
    m_error = error;
    m_thread = QThread::create([folder, out, error] {
        try {
            QDir().mkpath(QFileInfo(out).absolutePath());
            hf::ImportRequest request;
            request.folders = {folder.toStdString()};
            request.out = out.toStdString();
            request.overwrite = true;
            hf::importCheckpoints(request);
        } catch (const std::exception& e) {
            *error = QString::fromStdString(e.what());
        }
    });
    connect(m_thread, &QThread::finished, this, [this, out] {
        m_thread->deleteLater();
        m_thread = nullptr;
        emit finished(out, *m_error);
    });
    m_thread->start();
    return true;
}

} // namespace attnscope::gui
