#pragma once
// Runs "probe your own text" off the GUI thread: one worker QThread per probe, never two at once (a probe
// uses OpenMP; two would only fight over the cores). The latest request wins: a request made while a probe
// runs waits, replacing any request already waiting, and the result of the running probe is then dropped as
// stale. The worker gets everything by value (file path, tokens) and opens its own RunReader (readers are
// per thread); it never touches RunData or a widget. Its result comes back through QThread::finished, which
// Qt queues to this object's (the GUI) thread.
#include "core/eval/text_probe.h"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <memory>
#include <optional>

class QThread;

namespace attnscope::gui {

struct TextProbeRequest {
    int runId = 0;
    QString filePath;     // the run file whose checkpoints are read (also while it is being recorded)
    int selectedStep = 0; // the timeline's step; the nearest checkpoint is probed
    std::vector<std::int32_t> tokens;
    int vocabulary = 0; // of the tokenizer that encoded `tokens`
    int threads = 1;    // OpenMP threads of the forward pass
    // An imported run: the Hugging Face folder whose model reads the tokens, and the step it stands for
    // (the file's checkpoints are not used).
    QString modelFolder;
    int modelStep = 0;
};

struct TextProbeOutcome {
    TextProbeRequest request;
    TextProbeResult result; // valid when `error` is empty
    QString error;          // a sentence for the user
    double seconds = 0;     // reading the checkpoint + the forward pass
    bool ok() const { return error.isEmpty(); }
};

// The probe itself, on the calling thread: reads the file's checkpoint nearest to the selected step and runs
// the tokens through it. Never throws; failures become `error`.
TextProbeOutcome runTextProbe(const TextProbeRequest& request);

class TextProbeRunner : public QObject {
    Q_OBJECT
public:
    explicit TextProbeRunner(QObject* parent = nullptr);
    ~TextProbeRunner() override; // waits for a running probe: one forward pass, so not long

    void submit(TextProbeRequest request);
    bool isBusy() const { return m_thread != nullptr; }

signals:
    void busyChanged(bool busy);
    void finished(const attnscope::gui::TextProbeOutcome& outcome); // for the latest request only

private:
    void launch(TextProbeRequest request);
    void collect();

    QThread* m_thread = nullptr;
    std::shared_ptr<TextProbeOutcome> m_running; // written by the worker, read after it finished
    std::optional<TextProbeRequest> m_waiting;
};

} // namespace attnscope::gui

Q_DECLARE_METATYPE(attnscope::gui::TextProbeOutcome)
