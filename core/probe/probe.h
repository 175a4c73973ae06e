#pragma once
// Instrumentation snapshot: one forward pass of the probe sequence, then every metric of §6.4, the dense
// attention maps and content logits, spectral norms and model-level scalars.
#include "core/model/model.h"
#include "core/probe/snapshot.h"

#include <string>
#include <vector>

namespace attnscope {

struct ProbeExtras {
    std::vector<std::string> names; // extra named scalars (e.g. per-tensor update ratios)
    std::vector<float> values;
    // Trigger tokens of the run's task (TokenSource::triggerTokens): sinkNonTrigger leaves their queries
    // out. Empty: every query i ≥ 1 counts.
    std::vector<std::int32_t> triggers;
    // What the run stores (train.map_precision, train.probe_logits): the maps' encoding, and whether the
    // content-logit maps are kept (the per-head logit metrics are computed either way).
    MapPrecision mapPrecision = MapPrecision::Float16;
    bool logitMaps = true;
    // The per-row causal entropy bounds (the slowest part of a snapshot); the induction probe skips them.
    bool entropyBounds = true;
};

// A second probe recorded with every snapshot (core/data/induction_probe.h): its workspace (B = 1, Tlen =
// tokens.size()) and tokens. Its snapshot becomes ProbeSnapshot::induction.
struct InductionProbe {
    Workspace<float>* workspace = nullptr;
    std::vector<std::int32_t> tokens;
};

// probe.size() must equal ws.Tlen and ws.B must be 1.
SnapshotPtr takeSnapshot(Model<float>& model, Workspace<float>& ws, const std::vector<std::int32_t>& probe,
                         int step, const ProbeExtras& extras = {}, const InductionProbe* induction = nullptr);

// Largest singular value by power iteration (deterministic start), for probes and tests.
double spectralNorm(const float* data, int rows, int cols, int ld, int iterations = 40);

} // namespace attnscope
