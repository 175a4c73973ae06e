#pragma once
// Full training state as a safetensors image (docs/run-format.md, "Checkpoints"):
//   param/<name>, the optimiser state adam_m/<name>, adam_v/<name> (AdamW) or momentum/<name> (SGD) (F32,
//   shaped as the tensor), sigma_a/<group>, sigma_b/<group>
//   (σReparam power-iteration vectors), rng (U64 state words stored as I64);
//   metadata: "spec" (RunSpec JSON), "step", "adam_steps", "format" = "attnscope-checkpoint-1".
#include "core/model/model.h"
#include "core/optim/optimizer.h"
#include "core/train/run_spec.h"
#include "core/util/rng.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace attnscope {

struct TrainingState {
    Model<float>* model;
    Optimizer* optimizer;
    Rng* dataRng;
    int step;
};

std::vector<std::uint8_t> saveCheckpoint(const RunSpec& spec, const TrainingState& state);

// Restores into state (model and optimizer must have the spec's shapes). Returns the step. Throws
// attnscope::Error on a malformed file or a checkpoint of a different architecture.
int loadCheckpoint(const std::vector<std::uint8_t>& bytes, TrainingState& state);

// The RunSpec stored in a checkpoint (to build a model for `attnscope-cli eval`).
RunSpec checkpointSpec(const std::vector<std::uint8_t>& bytes);

// A model rebuilt from a checkpoint image for inference (`attnscope-cli eval`, "probe your own text"): its
// spec, parameters and σReparam state; the optimiser state is read and dropped. Throws attnscope::Error on
// a malformed image.
struct LoadedModel {
    RunSpec spec;
    std::unique_ptr<Model<float>> model;
    int step = 0;
};
LoadedModel loadModel(const std::vector<std::uint8_t>& checkpoint);

} // namespace attnscope
