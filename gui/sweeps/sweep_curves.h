#pragma once
// The numbers the Sweeps page plots (Wortsman et al. 2023, Fig. 1: final loss against LR, one line per
// variant): for every variant (the axes other than LR and seed) and every LR of the grid, the mean and sample
// sd over seeds of the final validation loss and of the final max logit, from the cells that finished; the
// diverged cells counted apart, with the loss they count as in the LR sensitivity (ℓ0, the loss at
// initialisation) so the chart can mark them where the score puts them.
#include "core/sweep/sweep_summary.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace attnscope::gui {

struct SweepData;

struct LrPoint {
    double lr = 0;
    Stat loss;  // final validation loss over the finished (not diverged) seeds
    Stat logit; // final max logit over the same seeds
    int diverged = 0;
    double divergedLoss = NAN;  // mean ℓ0 of the diverged seeds (where the sensitivity counts them)
    double divergedLogit = NAN; // largest peak max logit of the diverged seeds (NaN when none is finite)
    double initLoss = NAN;  // mean ℓ0 over every complete seed (the ceiling min(ℓ, ℓ0) of the score)
    std::vector<int> cells; // indices into SweepData::cells (every seed, finished or not)
};

struct VariantCurve {
    QString label; // the variant's labels joined with " · " ("qk-norm"); the sweep's name without any
    std::vector<std::string> labels;
    std::vector<LrPoint> points;                // one per LR of the grid, ascending
    const LrSensitivity* sensitivity = nullptr; // into SweepData::summary (null before any LR axis)
};

// Empty when the sweep has no train.lr axis (or its values are not numbers).
std::vector<VariantCurve> lrCurves(const SweepData& data);

// "0.281 ± 0.037" (sd left out for one seed, "—" for none).
QString formatStat(const Stat& s, int precision = 3);

} // namespace attnscope::gui
