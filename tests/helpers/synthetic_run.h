#pragma once
// Small synthetic run files for the GUI and figure tests: causal softmax-like attention maps that change
// with the step (so two steps or two runs differ cell by cell), per-head metrics, losses and one event.
#include "core/probe/snapshot.h"

#include <QString>
#include <vector>

namespace attnscope::test {

struct SyntheticRun {
    QString name = QStringLiteral("synthetic"); // run name and file name (<dir>/<name>.attnrun)
    int layers = 2, heads = 3, length = 12;
    int steps = 60;                                         // one StepRecord per step 1…steps
    std::vector<int> snapshotSteps{10, 20, 30, 40, 50, 60}; // probe snapshots
    double sharpness = 0.05; // how fast attention sharpens with the step; another value = another "run"
    bool finish = true;      // status Finished (else still Training)
};

ProbeSnapshot syntheticSnapshot(int step, int layers, int heads, int length, double sharpness = 0.05);
// Writes the run (with an entropy-collapse event at step 35) and returns its path.
QString writeSyntheticRun(const QString& dir, const SyntheticRun& run = {});

} // namespace attnscope::test
