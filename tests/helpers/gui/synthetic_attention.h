#pragma once
// Plausible attention snapshots without training: previous-token, sink, recency, diffuse, same-token and
// self heads, built as a masked softmax of synthetic content logits (plus the ALiBi bias when the config
// uses it). For demos, previews, tests and the redraw measurement; never for results.
#include "core/model/config.h"
#include "core/probe/snapshot.h"

#include <cstdint>
#include <vector>

namespace attnscope {

// tokens.size() is the probe length T. `sharpness` scales every logit (training makes heads sharper).
SnapshotPtr makeSyntheticSnapshot(const ModelConfig& cfg, const std::vector<std::int32_t>& tokens, int step,
                                  unsigned seed, double sharpness = 1.0);

} // namespace attnscope
