#pragma once
// The recorded data of one run a figure is drawn from: exactly what the GUI holds in RunData and what
// `attnscope-cli plot` reads from the run file, so both draw the same figure. Qt-free data, core types.
#include "core/data/tokenizer.h"
#include "core/probe/snapshot.h"

#include <QColor>
#include <QString>
#include <memory>
#include <string>
#include <vector>

namespace attnscope::figures {

struct FigureInput {
    QString runName;
    std::vector<StepRecord> steps;
    std::vector<SnapshotPtr> snapshots; // every recorded snapshot, in step order (no sampling)
    std::vector<Event> events;
    std::shared_ptr<const Tokenizer> tokenizer;
    SnapshotPtr comparison; // optional: maps show snapshot − comparison
    QString comparisonLabel;
    QColor color; // the run's colour in the app; figures of several runs draw it with this (else Okabe–Ito)

    // The snapshot at or before `step` (-1: the latest); the first one when none is that early.
    SnapshotPtr snapshotAt(int step) const;
};

// Reads every step, snapshot and event of a run file; the snapshots' maps only with `maps` (map views).
// Throws attnscope::Error on unreadable files.
FigureInput loadFigureInput(const std::string& runPath, bool maps = true);

} // namespace attnscope::figures
