#pragma once
// "Extrapolation" tab (Press et al.): for every open run, its validation loss against the
// evaluation length (the run's stored evaluations; training length L marked; learned positions marked "cannot
// run past L"), and the loss at each position of one long sequence, where the point at which a position
// method breaks shows as the curve turning upward. "Evaluate lengths…" evaluates the selected run on a worker
// with progress and stores the results in its file.
#include "gui/views/extrapolation_job.h"

#include <QWidget>
#include <map>
#include <vector>

class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace attnscope::gui {

class RunRegistry;
struct RunData;

class ExtrapolationView : public QWidget {
    Q_OBJECT
public:
    ExtrapolationView(RunRegistry& registry, QWidget* parent = nullptr);

    // The points drawn for a run on the length chart: (length, loss) of its latest non-overlapping
    // evaluation per length, ascending; lengths it cannot run at are left out.
    static std::vector<std::pair<int, double>> lengthCurve(const RunData& run);
    // Evaluates `runId` at `lengths` (empty: L, 1.5L, 2L, 4L, 8L) and its per-position loss at the longest
    // (≤ 512), on the worker; false for an unknown run.
    bool evaluate(int runId, std::vector<int> lengths = {}, bool save = true, std::int64_t maxTokens = 32768);
    // Only the per-position loss, of every visible run that has none yet.
    void computePositionLoss();
    bool isBusy() const { return m_job->isBusy(); }
    const std::map<int, PositionLoss>& positionLosses() const { return m_positions; }
    QCustomPlot* lengthPlot() const { return m_lengthPlot; }
    QCustomPlot* positionPlot() const { return m_positionPlot; }
    QString note() const; // the line under the charts (runs without evaluations, learned positions)

signals:
    void evaluationFinished(int runId);

private:
    void refresh();
    void startNext();
    void onFinished(const std::shared_ptr<const ExtrapolationOutcome>& outcome);
    void askLengths();

    RunRegistry& m_registry;
    ExtrapolationJob* m_job;
    QCustomPlot* m_lengthPlot;
    QCustomPlot* m_positionPlot;
    QPushButton* m_evaluate;
    QPushButton* m_positionButton;
    QProgressBar* m_progress;
    QLabel* m_status;
    QLabel* m_note;
    QTimer* m_poll;
    std::map<int, PositionLoss> m_positions;
    std::map<int, int> m_positionContext; // run → its L, for the marker
    std::vector<ExtrapolationRequest> m_queue;
};

} // namespace attnscope::gui
