#pragma once
// A Hugging Face transformers config.json read into the architecture the engine's imported-model forward
// computes (hf_forward.h). Three families, defined as transformers defines them:
//   gpt2      GPT2LMHeadModel: learned positions, pre-LayerNorm, fused c_attn, GELU MLP, tied head
//   gpt_neox  GPTNeoXForCausalLM (Pythia): partial rotary (rotary_pct, rotate-half), fused per-head qkv,
//             parallel residual optional, untied embed_out
//   llama     LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM: RMSNorm, SwiGLU, grouped-query
//             attention, full rotary (rope_theta, rotate-half), Qwen2's q/k/v biases
// A key that is absent takes the default of the family's transformers config class, as transformers itself
// would load the folder; what this forward does not compute (rope scaling, attention-weight rescaling, an
// unknown activation) is refused with a message rather than computed differently.
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace attnscope::hf {

enum class Family { Gpt2, GptNeoX, Llama };
enum class Activation { GeluErf, GeluTanh, Relu, Silu };

struct HfConfig {
    Family family = Family::Gpt2;
    std::string modelType; // config's model_type: "gpt2", "gpt_neox", "llama", "mistral", "qwen2"
    int layers = 0, heads = 0, kvHeads = 0, headDim = 0, dModel = 0, ffn = 0, vocab = 0, context = 0;
    double normEps = 1e-5;
    Activation activation = Activation::GeluTanh;
    int rotaryDims = 0; // leading dimensions of each head that are rotated (0: no rotary)
    double rotaryBase = 10000;
    bool parallelResidual = false;
    bool tiedEmbeddings = false;
    bool qkvBias = false, outBias = false, mlpBias = false;
    int slidingWindow = 0;  // 0: every query sees all earlier keys
    std::string torchDtype; // config's torch_dtype (informational), empty when absent

    bool rotary() const { return rotaryDims > 0; }
    bool rmsNorm() const { return family == Family::Llama; }
    bool gatedMlp() const { return family == Family::Llama; }
};

// Parses config.json's JSON. Throws attnscope::Error for an unsupported model_type or option, a missing or
// inconsistent size.
HfConfig parseHfConfig(const nlohmann::json& config);
// Reads and parses `folder`/config.json.
HfConfig loadHfConfig(const std::string& folder);

const char* familyName(Family f); // "gpt2", "gpt_neox", "llama"

} // namespace attnscope::hf
