#include "core/train/checkpoint.h"

#include "core/io/safetensors.h"
#include "core/util/error.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace attnscope {

namespace {
constexpr const char* kFormat = "attnscope-checkpoint-1";

std::vector<std::int64_t> shapeOf(const TensorInfo& t) {
    if (t.rows == 1) return {t.cols};
    return {t.rows, t.cols};
}

void copyInto(const SafeTensorsFile& file, const std::string& name, float* dst, std::size_t n) {
    const SafeTensor& t = file.get(name);
    if (t.dtype != "F32" || std::size_t(t.elementCount()) != n)
        throw Error("checkpoint tensor \"" + name + "\" has " + std::to_string(t.elementCount()) + " " +
                    t.dtype + " values; this model needs " + std::to_string(n) +
                    " F32 values (a different architecture?).");
    std::memcpy(dst, t.bytes.data(), n * sizeof(float));
}
} // namespace

std::vector<std::uint8_t> saveCheckpoint(const RunSpec& spec, const TrainingState& state) {
    SafeTensorsFile file;
    const Model<float>& model = *state.model;
    const ParamLayout& layout = model.layout();
    for (const TensorInfo& t : layout.tensors) {
        file.add("param/" + t.name, model.params.data() + t.offset, shapeOf(t));
        for (const auto& [prefix, buffer] : state.optimizer->stateBuffers())
            file.add(prefix + "/" + t.name, buffer->data() + t.offset, shapeOf(t));
    }
    for (std::size_t g = 0; g < layout.sigmaGroups.size(); ++g) {
        const auto& a = model.sigmaLeft[g];
        const auto& b = model.sigmaRight[g];
        file.add("sigma_a/" + layout.sigmaGroups[g].name, a.data(), {std::int64_t(a.size())});
        file.add("sigma_b/" + layout.sigmaGroups[g].name, b.data(), {std::int64_t(b.size())});
    }
    std::int64_t words[4];
    for (int i = 0; i < 4; ++i) std::memcpy(&words[i], &state.dataRng->state()[i], 8);
    file.add("rng", words, {4});
    file.metadata["format"] = kFormat;
    file.metadata["spec"] = toJson(spec).dump();
    file.metadata["step"] = std::to_string(state.step);
    file.metadata["adam_steps"] = std::to_string(state.optimizer->steps());
    return file.serialize();
}

RunSpec checkpointSpec(const std::vector<std::uint8_t>& bytes) {
    const SafeTensorsFile file = SafeTensorsFile::parse(bytes);
    auto it = file.metadata.find("spec");
    if (it == file.metadata.end())
        throw Error("This safetensors file has no AttnScope run configuration in its metadata (\"spec\").");
    try {
        return runSpecFromJson(nlohmann::json::parse(it->second));
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("The checkpoint's configuration is not valid JSON: ") + e.what());
    }
}

int loadCheckpoint(const std::vector<std::uint8_t>& bytes, TrainingState& state) {
    const SafeTensorsFile file = SafeTensorsFile::parse(bytes);
    auto format = file.metadata.find("format");
    if (format == file.metadata.end() || format->second != kFormat)
        throw Error("This safetensors file is not an AttnScope checkpoint (format \"" +
                    (format == file.metadata.end() ? std::string("none") : format->second) + "\").");
    Model<float>& model = *state.model;
    const ParamLayout& layout = model.layout();
    for (const TensorInfo& t : layout.tensors) {
        copyInto(file, "param/" + t.name, model.params.data() + t.offset, t.size());
        for (const auto& [prefix, buffer] : state.optimizer->stateBuffers())
            copyInto(file, prefix + "/" + t.name, buffer->data() + t.offset, t.size());
    }
    for (std::size_t g = 0; g < layout.sigmaGroups.size(); ++g) {
        copyInto(file, "sigma_a/" + layout.sigmaGroups[g].name, model.sigmaLeft[g].data(),
                 model.sigmaLeft[g].size());
        copyInto(file, "sigma_b/" + layout.sigmaGroups[g].name, model.sigmaRight[g].data(),
                 model.sigmaRight[g].size());
    }
    const auto words = file.get("rng").toInt64();
    if (words.size() != 4) throw Error("checkpoint tensor \"rng\" must hold 4 state words.");
    Rng::State rs;
    for (int i = 0; i < 4; ++i) std::memcpy(&rs[i], &words[i], 8);
    state.dataRng->setState(rs);
    try {
        state.step = std::stoi(file.metadata.at("step"));
        state.optimizer->setSteps(std::stoi(file.metadata.at("adam_steps")));
    } catch (const std::exception&) {
        throw Error("The checkpoint's step counters are missing or malformed.");
    }
    return state.step;
}

LoadedModel loadModel(const std::vector<std::uint8_t>& checkpoint) {
    LoadedModel loaded;
    loaded.spec = checkpointSpec(checkpoint);
    loaded.model = std::make_unique<Model<float>>(loaded.spec.model);
    // loadCheckpoint restores the whole training state; the optimiser and data RNG are only its targets here.
    const auto optimizer = makeOptimizer(loaded.model->layout(), loaded.spec.train);
    Rng dataRng;
    TrainingState state{loaded.model.get(), optimizer.get(), &dataRng, 0};
    loaded.step = loadCheckpoint(checkpoint, state);
    loaded.model->setMode(ForwardMode::Evaluation); // inference only: eval-time σ (model.h)
    return loaded;
}

} // namespace attnscope
