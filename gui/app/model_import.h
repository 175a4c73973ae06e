#pragma once
// File › Open model…: a Hugging Face model folder imported (core/hf/hf_import.h, as `attnscope-cli import`
// with the default probe) into a run file under the run directory, on a worker thread so the window never
// freezes; the finished run then opens like any other.
#include <QObject>
#include <QString>
#include <memory>

class QThread;

namespace attnscope::gui {

class ModelImport : public QObject {
    Q_OBJECT
public:
    explicit ModelImport(QObject* parent = nullptr);
    ~ModelImport() override; // waits for a running import

    // Where the run of `folder` is written: <run directory>/imported/<folder name>.attnrun.
    static QString runPathFor(const QString& folder);
    // Starts importing `folder`; false (and nothing started) while another import runs.
    bool start(const QString& folder);
    bool isBusy() const { return m_thread != nullptr; }

signals:
    void finished(const QString& runPath, const QString& error); // error empty on success

private:
    QThread* m_thread = nullptr;
    std::shared_ptr<QString> m_error;
};

} // namespace attnscope::gui
