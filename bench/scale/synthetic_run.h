#pragma once
// A GPT-2-small-shaped run made without a model (bench/scale): causal softmax maps whose heads look like a
// trained model's — previous-token diagonals, sink columns on key 0, local (distance-decaying) heads and
// diffuse heads — sharpening over the snapshots, with the engine's per-head metrics computed from them. Used
// to measure the writers, readers and the app at the scale of issue-sized runs without torch.
#include "core/probe/snapshot.h"
#include "core/store/run_file.h"

#include <string>

namespace attnscope::bench {

struct SyntheticRunShape {
    int layers = 12, heads = 12, length = 1024, snapshots = 25, stepsPerSnapshot = 100;
    MapPrecision precision = MapPrecision::Float16;
    bool logits = true;
};

// Snapshot `index` (0-based) of the shape: deterministic in (shape, index).
ProbeSnapshot syntheticSnapshot(const SyntheticRunShape& shape, int index);

// The header of such a run (spec with the shape, a character tokenizer, a probe text of `length` tokens).
RunHeader syntheticHeader(const SyntheticRunShape& shape);

} // namespace attnscope::bench
