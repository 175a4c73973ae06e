#pragma once
// The forward pass of an imported Hugging Face model over one probe sequence, in float32, recorded as the
// engine records its own probes: every layer's and head's attention map and content logits (q·k/√d after
// rotary, per query head; a grouped key/value head serves all its query heads), value and residual norms,
// the per-head weight metrics, and the output logits. The maps' metrics come from the one shared path
// (core/probe/map_metrics.h), so imported runs carry every metric engine runs carry.
#include "core/eval/text_probe.h"
#include "core/hf/hf_checkpoint.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace attnscope::hf {

// Longest probe the model takes: its context (max_position_embeddings / n_positions), and no more than a
// sliding window.
int probeLimit(const HfConfig& config);

// Throws attnscope::Error for an empty probe, a token id outside the vocabulary or more tokens than
// probeLimit.
void checkProbe(const HfConfig& config, const std::vector<std::int32_t>& tokens);

// Throws as checkProbe.
TextProbeResult probeHfModel(const HfCheckpoint& model, const std::vector<std::int32_t>& tokens, int step);
// The snapshot alone, without the per-position predictions (the induction probe's). Throws as checkProbe.
SnapshotPtr snapshotHfModel(const HfCheckpoint& model, const std::vector<std::int32_t>& tokens, int step);

// The forward alone: output logits (T, V), in memory the head projection writes first (a GPT-2 probe's 51 MB
// are neither zero-filled nor paged in by one thread beforehand). When `record` is not null it receives what
// the probe records (maps, content logits, value and residual norms, weight metrics; its dimensions and
// tokens set by the caller). Throws as probeHfModel.
std::unique_ptr<float[]> forwardHfModel(const HfCheckpoint& model, const std::vector<std::int32_t>& tokens,
                                        ProbeSnapshot* record);

} // namespace attnscope::hf
