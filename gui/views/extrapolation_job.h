#pragma once
// "Evaluate lengths…" off the GUI thread: reads the run's latest checkpoint, evaluates the loss at each
// length (core/eval/extrapolation, non-overlapping, as `attnscope-cli eval` does), optionally the loss at
// every position of the longest length (core/eval/position_loss), and stores the evaluations in the run file
// (evals table) as `attnscope-cli eval --save` does. The worker gets everything by value and never touches
// RunData or a widget; progress is an atomic the view polls.
#include "core/eval/position_loss.h"
#include "core/probe/snapshot.h"

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <vector>

class QThread;

namespace attnscope::gui {

struct ExtrapolationRequest {
    int runId = 0;
    QString filePath;
    std::vector<int> lengths;       // evaluated in order; may be empty (position loss only)
    int positionLength = 0;         // > 0: also the loss by position at this length
    bool save = true;               // store the evaluations in the run file
    std::int64_t maxTokens = 32768; // scored tokens per length (the CLI's default)
    int threads = 1;
};

struct ExtrapolationOutcome {
    ExtrapolationRequest request;
    std::vector<EvalRecord> records;
    PositionLoss positions;
    int step = 0;      // the checkpoint's step
    int context = 0;   // the model's training length L
    QString error;     // nothing could be evaluated
    QString saveError; // evaluated, but not stored in the file (e.g. a run still being written)
    bool ok() const { return error.isEmpty(); }
};

// The evaluation itself, on the calling thread; never throws. `done` counts finished items (lengths, then
// the position pass).
ExtrapolationOutcome runExtrapolation(const ExtrapolationRequest& request, std::atomic<int>* done = nullptr);

class ExtrapolationJob : public QObject {
    Q_OBJECT
public:
    explicit ExtrapolationJob(QObject* parent = nullptr);
    ~ExtrapolationJob() override; // waits for the running evaluation

    bool start(ExtrapolationRequest request); // false while one runs
    bool isBusy() const { return m_thread != nullptr; }
    int progressPercent() const;

signals:
    void finished(const std::shared_ptr<const attnscope::gui::ExtrapolationOutcome>& outcome);

private:
    QThread* m_thread = nullptr;
    std::shared_ptr<ExtrapolationOutcome> m_outcome;
    std::shared_ptr<std::atomic<int>> m_done;
    int m_items = 1;
};

} // namespace attnscope::gui
