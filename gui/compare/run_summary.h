#pragma once
// The numbers one row of the runs table shows for a run (TensorBoard HParams / W&B runs table): its key
// hyper-parameters and what it reached. Computed from RunData on demand; NaN where the run has no value yet.
#include <QString>
#include <QStringList>
#include <limits>

namespace attnscope::gui {

struct RunData;

struct RunSummary {
    static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
    QStringList mechanisms; // badges, e.g. "ALiBi", "σReparam"
    QString shape;          // "4L × 4H · d128 · T128"
    double lr = 0;          // NaN, and batch 0, when a run recorded outside the engine did not say
    double weightDecay = 0;
    int batch = 0;
    int steps = 0;             // steps recorded so far
    int plannedSteps = 0;      // steps the spec asks for; 0 when the run did not say
    double trainLoss = kNone;  // the last recorded training loss
    double valLoss = kNone;    // the last validation loss
    double maxLogit = kNone;   // over every snapshot, layer and head
    double minEntropy = kNone; // nats, over every snapshot, layer and head
    int events = 0;
    QString eventKinds; // "2 × entropy_collapse, 1 × loss_spike"
    QString status;
};

RunSummary summarize(const RunData& run);

} // namespace attnscope::gui
