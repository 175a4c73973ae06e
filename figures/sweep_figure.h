#pragma once
// The LR-sensitivity figure of a sweep (Wortsman et al. 2023, arXiv 2309.14322, Fig. 1): final validation
// loss, mean over seeds, against the peak learning rate on a log axis, one line per variant, the legend
// giving each variant's LR sensitivity. Drawn by the curve painter and written by the file writer every
// figure uses, from the sweep summary the app's Sweeps page shows (core/sweep), so the app and `attnscope-cli
// plot --view lr-sensitivity SWEEP-FOLDER` give the same file.
#include "core/sweep/sweep_summary.h"
#include "figures/figure_export.h"

#include <string>
#include <vector>

namespace attnscope::figures {

// The variant of each cell of `summary` (in grid order): cells equal on every axis but the LR and the seed
// share one; variants are numbered 0, 1, … in order of first appearance in the grid, the order of
// summary.sensitivity, of the lines here and on the Sweeps page. The number picks the variant's colour
// (sweepVariantColor, figures/palette.h).
std::vector<int> sweepVariantOfCells(const SweepSummary& summary);
// Throws attnscope::Error when the sweep has no learning-rate axis or no finished cell.
CurveData lrSensitivityCurves(const SweepSummary& summary, const QString& sweepName);
// The summary of a sweep folder as the Sweeps page reads it: its run files where present, else its
// summary_cells.csv (the shipped sweeps keep only their summaries). Throws attnscope::Error.
SweepSummary readSweepSummary(const std::string& folder);
ExportResult exportLrSensitivity(const SweepSummary& summary, const QString& sweepName,
                                 const FigureOptions& options, const QString& path, bool writeSidecar = true);

} // namespace attnscope::figures
