#pragma once
// The numbers one row of the runs table shows for a run (TensorBoard HParams / W&B runs table): its key
// hyper-parameters and what it reached (core RunSummary, the definition the sweeps and `attnscope-cli info`
// share). Computed from RunData on demand; NaN where the run has no value yet.
#include "core/run/run_summary.h"

#include <QString>
#include <QStringList>

namespace attnscope::gui {

struct RunData;

struct RunRow {
    QStringList mechanisms; // badges, e.g. "ALiBi", "σReparam"
    QString shape;          // "4L × 4H · d128 · T128"
    double lr = 0;          // NaN, and batch 0, when a run recorded outside the engine did not say
    double weightDecay = 0;
    int batch = 0;
    int plannedSteps = 0; // steps the spec asks for; 0 when the run did not say
    attnscope::RunSummary reached;
    QString eventKinds; // "2 × entropy_collapse, 1 × loss_spike"
    QString status;
};

RunRow runRow(const RunData& run);

} // namespace attnscope::gui
