#pragma once
// The LR-sensitivity figure of a sweep (Wortsman et al. 2023, arXiv 2309.14322, Fig. 1): final validation
// loss, mean over seeds, against the peak learning rate on a log axis, one line per variant, the legend
// giving each variant's LR sensitivity. Drawn by the curve painter and written by the file writer every
// figure uses, from the sweep summary the app's Sweeps page shows (core/sweep), so the app and `attnscope-cli
// plot --view lr-sensitivity SWEEP-FOLDER` give the same file.
#include "core/sweep/sweep_summary.h"
#include "figures/figure_export.h"

#include <string>

namespace attnscope::figures {

// Throws attnscope::Error when the sweep has no learning-rate axis or no finished cell.
CurveData lrSensitivityCurves(const SweepSummary& summary, const QString& sweepName);
// The summary of a sweep folder as the Sweeps page reads it: its run files where present, else its
// summary_cells.csv (the shipped sweeps keep only their summaries). Throws attnscope::Error.
SweepSummary readSweepSummary(const std::string& folder);
ExportResult exportLrSensitivity(const SweepSummary& summary, const QString& sweepName,
                                 const FigureOptions& options, const QString& path, bool writeSidecar = true);

} // namespace attnscope::figures
