#include "helpers/hf_fixtures.h"

#include "core/hf/pretokenize.h"
#include "core/io/safetensors.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

namespace attnscope::test {

namespace {
constexpr int kVocab = 258, kWidth = 8, kContext = 32, kLayers = 2, kHeads = 2;

void writeText(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
}
} // namespace

void writeTinyGpt2(const std::string& folder, bool tokenizer, unsigned seed) {
    const std::filesystem::path dir(folder);
    std::filesystem::create_directories(dir);
    writeText(dir / "config.json", nlohmann::json{{"model_type", "gpt2"},
                                                  {"n_embd", kWidth},
                                                  {"n_head", kHeads},
                                                  {"n_layer", kLayers},
                                                  {"n_positions", kContext},
                                                  {"vocab_size", kVocab}}
                                       .dump());
    std::map<std::string, std::vector<std::int64_t>> shapes{{"transformer.wte.weight", {kVocab, kWidth}},
                                                            {"transformer.wpe.weight", {kContext, kWidth}},
                                                            {"transformer.ln_f.weight", {kWidth}},
                                                            {"transformer.ln_f.bias", {kWidth}}};
    for (int l = 0; l < kLayers; ++l) {
        const std::string p = "transformer.h." + std::to_string(l) + ".";
        for (const char* n :
             {"ln_1.weight", "ln_1.bias", "ln_2.weight", "ln_2.bias", "attn.c_proj.bias", "mlp.c_proj.bias"})
            shapes[p + n] = {kWidth};
        shapes[p + "attn.c_attn.weight"] = {kWidth, 3 * kWidth},
                   shapes[p + "attn.c_attn.bias"] = {3 * kWidth};
        shapes[p + "attn.c_proj.weight"] = {kWidth, kWidth};
        shapes[p + "mlp.c_fc.weight"] = {kWidth, 4 * kWidth}, shapes[p + "mlp.c_fc.bias"] = {4 * kWidth};
        shapes[p + "mlp.c_proj.weight"] = {4 * kWidth, kWidth};
    }
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 0.5f);
    SafeTensorsFile file;
    for (const auto& [name, shape] : shapes) {
        std::int64_t n = 1;
        for (const std::int64_t d : shape) n *= d;
        std::vector<float> values(static_cast<std::size_t>(n));
        // Layer norms start at their usual gain of one, so the attention is not washed out.
        const bool gain = name.find("ln_") != std::string::npos && name.find(".weight") != std::string::npos;
        for (float& v : values) v = gain ? 1.0f : normal(rng);
        file.add(name, values.data(), shape);
    }
    file.saveFile((dir / "model.safetensors").string());
    if (!tokenizer) return;
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b) vocab[hf::byteToUnicode()[std::size_t(b)]] = b;
    vocab["th"] = 256;
    writeText(
        dir / "tokenizer.json",
        nlohmann::json{
            {"added_tokens", {{{"id", 257}, {"content", "<|endoftext|>"}, {"special", true}}}},
            {"normalizer", nullptr},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
            {"post_processor", {{"type", "ByteLevel"}}},
            {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", {"t h"}}}}}
            .dump());
}

} // namespace attnscope::test
