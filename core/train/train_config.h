#pragma once
// Optimiser, schedule, data and recording settings of one training run.
#include "core/data/data_config.h"
#include "core/optim/optimizer_config.h"
#include "core/probe/snapshot.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

// The optimiser and schedule settings (OptimizerConfig) plus what only the trainer uses.
struct TrainConfig : OptimizerConfig {
    int batch = 16;
    std::uint64_t seed = 1337;
    int threads = 0; // 0 = all cores

    // Recording cadence
    int recordEvery = 25;      // probe snapshot (attention maps + per-head metrics) every N steps
    int evalEvery = 100;       // validation loss every N steps
    int evalBatches = 4;       // validation batches per evaluation
    int checkpointEvery = 500; // checkpoint into the run file every N steps (0: only at the end)
    int probeLength = 0;       // tokens in the probe sequence (0: the context); maps are probeLength²
    // How snapshots store their maps: float16, or 8 bits per value against each row's range (a tenth of the
    // bytes; docs/run-format.md states the error). probeLogits false keeps only the attention maps (the
    // per-head logit metrics are recorded either way).
    MapPrecision mapPrecision = MapPrecision::Float16;
    bool probeLogits = true;
    // Induction probe (core/data/induction_probe.h): n random tokens repeated once; n here, 0 = as many as
    // the context and vocabulary allow, −1 = none.
    int inductionProbe = 0;

    std::vector<std::string> validate() const;
};

} // namespace attnscope
