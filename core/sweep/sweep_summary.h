#pragma once
// What a sweep found, read back from its run files: per cell, aggregated over seeds (mean ± sd), and
// Wortsman et al.'s LR sensitivity per variant:
//
//   LRsens = mean over the LR grid of [ min(ℓ(η), ℓ0) − ℓ* ],   ℓ* = min over the grid of ℓ(η),
//
// ℓ(η) = final validation loss at peak LR η, ℓ0 = loss at initialisation (the training loss of step 1,
// computed before the first update); a diverged run contributes ℓ0 − ℓ*. Computed per seed, then averaged
// over seeds (mean ± sd). A "variant" is one combination of the axes other than LR and seed.
#include "core/sweep/sweep_spec.h"

#include <string>
#include <vector>

namespace attnscope {

struct CellResult {
    std::string id;
    std::vector<std::string> labels; // label on each axis
    std::string status;              // run status ("finished", "diverged", …); "missing" without a file
    bool complete = false;           // finished all its steps or diverged
    bool diverged = false;
    int step = 0, steps = 0;
    double initLoss = NAN;     // ℓ0: training loss of step 1
    double finalLoss = NAN;    // last training loss
    double finalValLoss = NAN; // last validation loss
    // From the run's RunSummary (core/run/run_summary.h):
    double maxLogit = NAN;     // finalMaxLogit: the final snapshot's max content logit q·k/√D over heads
    double peakMaxLogit = NAN; // peakMaxLogit: the same, max over every snapshot
    double minEntropy = NAN;   // finalMinEntropy: final snapshot, min over heads of the mean entropy (nats)
    double meanEntropy = NAN;  // finalMeanEntropy: final snapshot, mean over heads
    int events = 0;            // detectorEvents: loss spikes, collapses, explosions, non-finite; not notes
};

struct Stat {
    double mean = NAN, sd = NAN; // sd: sample standard deviation (n − 1); NaN for n < 2
    int n = 0;
};
Stat meanSd(const std::vector<double>& values); // ignores NaN values

// Cells equal on every axis but the seed axis.
struct GroupResult {
    std::vector<std::string> labels; // on each non-seed axis
    int cells = 0, complete = 0, diverged = 0;
    Stat finalLoss, finalValLoss, maxLogit, peakMaxLogit, minEntropy, meanEntropy, events;
};

struct LrSensitivity {
    std::vector<std::string> labels; // on each axis other than LR and seed
    Stat sensitivity;                // over seeds
    std::vector<double> perSeed;     // NaN where a seed's LR grid is incomplete or every LR diverged
    double bestLr = NAN;             // LR with the lowest seed-mean final val loss
    double bestLoss = NAN;
    int diverged = 0; // cells over the LR grid and seeds
};

struct SweepSummary {
    std::vector<std::string> axisNames;
    int seedAxis = -1, lrAxis = -1; // indices into axisNames, -1 when absent
    std::vector<CellResult> cells;
    std::vector<std::string> groupAxisNames; // axisNames without the seed axis
    std::vector<GroupResult> groups;
    std::vector<std::string> variantAxisNames; // axisNames without LR and seed
    std::vector<LrSensitivity> sensitivity;    // empty without an LR axis
};

// Reads one run file (throws attnscope::Error when it exists but cannot be read).
CellResult readCellResult(const std::string& runPath);

// The LR sensitivity of one variant and seed: `loss[i]`, `initLoss[i]`, `diverged[i]` over the LR grid.
// NaN when a loss is missing (NaN and not diverged) or every point diverged.
double lrSensitivity(const std::vector<double>& loss, const std::vector<double>& initLoss,
                     const std::vector<bool>& diverged);

// Aggregates cell results (in grid order of `cells`) into groups and LR sensitivities.
SweepSummary summarize(const SweepSpec& spec, const std::vector<SweepCell>& cells,
                       std::vector<CellResult> results);
// Reads every cell's run file in `folder` (missing cells are reported as "missing") and summarizes.
SweepSummary summarizeSweep(const SweepSpec& spec, const std::string& folder);

// CSV (RFC 4180, header row, exact numbers, empty for NaN) of the three tables.
std::string cellsCsv(const SweepSummary& s);
std::string groupsCsv(const SweepSummary& s);
std::string sensitivityCsv(const SweepSummary& s);

} // namespace attnscope
