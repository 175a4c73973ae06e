#pragma once
// What is known about the model a run recorded (the run header's model_json; docs/run-format.md). Runs the
// engine did not train — the Python Recorder's, `attnscope-cli import`'s — describe their model here, field
// by field as found on the model: a field nobody could find stays empty and readers show it as "—", never as
// an engine default.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

struct ModelConfig;

struct ModelDescription {
    std::optional<std::string> family; // "gpt2", "gpt_neox", "llama", "mistral", "qwen2", "nanogpt", ...
    std::optional<std::string> source; // "recorder" | "import" | "engine"
    std::optional<int> layers, heads, kvHeads, headDim, dModel, vocab, context;
    // Position encoding: scheme "learned" | "rotary" | "alibi" | "sinusoidal" | "none"; rotary adds the
    // rotated fraction of each head's dimensions and the base θ.
    std::optional<std::string> positionScheme;
    std::optional<double> rotaryFraction, rotaryBase;
    std::optional<std::string> norm; // "layernorm" | "rmsnorm"
    std::optional<std::string> mlp;  // "gelu" | "swiglu" | ...
    std::optional<bool> parallelResidual, tiedEmbeddings;
    std::optional<std::int64_t> parameters;
    std::optional<std::string> dtype, nameOrPath, revision;
    // An imported checkpoint series (`attnscope-cli import`): the folder each snapshot's step was read from,
    // by step, so that a text can be probed through the model of any recorded step.
    struct CheckpointFolder {
        int step = 0;
        std::string path;
        bool operator==(const CheckpointFolder&) const = default;
    };
    std::vector<CheckpointFolder> checkpointFolders;

    bool empty() const;
    // Every self-contradiction as one sentence (kv_heads not dividing heads, a rotary fraction outside
    // (0, 1], a non-positive count); empty when the description is coherent.
    std::vector<std::string> contradictions() const;
    // The rows a header panel or `info` shows, every field in a fixed order, "—" for unknown ones.
    std::vector<std::pair<std::string, std::string>> displayRows() const;
    // One line: "12L × 12H (kv 4) · d768 · T1024", unknown parts as "—".
    std::string shapeLine() const;
    // Short badges of what is known: family, position ("RoPE 25%", "learned PE"), "GQA kv 2", "RMSNorm",
    // "SwiGLU", "parallel residual".
    std::vector<std::string> badges() const;
};

// The engine's own model, described from its configuration (source "engine").
ModelDescription describeEngineModel(const ModelConfig& config);

// Keys with unknown values are left out. Unknown keys in the input are ignored (a newer writer's); a known
// key of the wrong type throws attnscope::Error naming it ("model_json.heads: expected a positive integer").
nlohmann::json toJson(const ModelDescription& d);
ModelDescription modelDescriptionFromJson(const nlohmann::json& j);
// Text forms for the run header: "" reads as an empty description; empty() writes "".
std::string toJsonText(const ModelDescription& d);
ModelDescription modelDescriptionFromJsonText(const std::string& text);

// "—" for a value nobody recorded.
inline constexpr const char* kUnknownValue = "—";

} // namespace attnscope
