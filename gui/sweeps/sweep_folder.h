#pragma once
// A sweep folder as the Sweeps page reads it: the manifest (sweep.json), its grid, and every cell's result —
// from the cell's run file when it is there (also while it is being written), otherwise from the folder's
// summary_cells.csv (sweeps shipped without their run files), otherwise "missing" — summarised exactly as
// `attnscope-cli sweep --summary` does (core summarize(): groups over seeds, Wortsman et al.'s LR
// sensitivity). Qt-free apart from QString paths, so it runs on a worker thread.
#include "core/sweep/sweep_summary.h"

#include <QString>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope::gui {

enum class CellSource { RunFile, SummaryCsv, Missing };

struct SweepData {
    QString folder;
    SweepSpec spec;
    std::vector<SweepCell> cells;      // grid order
    std::vector<CellSource> sources;   // per cell
    std::vector<QString> runPaths;     // per cell: <folder>/<id>.attnrun (may not exist)
    SweepSummary summary;              // summary.cells[i] belongs to cells[i]
    std::vector<std::string> problems; // unreadable cell files (the cell is shown as "unreadable")

    int total() const { return int(cells.size()); }
    int done() const; // cells finished or diverged
    bool allDone() const { return total() > 0 && done() == total(); }
    bool hasRunFiles() const; // any cell read from its run file
};

// What was read of each run file, keyed by path, with the file's size and modification time: a poll rereads
// only the files that changed.
struct CellCacheEntry {
    std::int64_t size = -1;
    std::int64_t mtimeNs = 0;
    CellResult result;
};
using CellCache = std::map<std::string, CellCacheEntry>;

// True when `folder` holds a sweep manifest.
bool isSweepFolder(const QString& folder);

// Reads the folder. Throws attnscope::Error when there is no readable manifest. `cache` (optional) is used
// and updated; `changed` (optional) says whether any cell differs from the cache.
std::shared_ptr<SweepData> readSweepFolder(const QString& folder, CellCache* cache = nullptr,
                                           bool* changed = nullptr);

// core/sweep's sweepLockHolder for a QString folder: "pid 1234", or empty when no sweep runs in it.
QString sweepLockHolder(const QString& folder);

} // namespace attnscope::gui
