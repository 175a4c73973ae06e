// Hugging Face model folders (core/hf/hf_checkpoint.h, core/store/mapped_safetensors.h): memory-mapped
// safetensors in F32 / F16 / BF16 read back exactly, sharded indexes, config.json refusals, damaged and
// mismatched files refused with a message, training steps from folder names.
#include "core/hf/hf_checkpoint.h"
#include "core/io/blob_codec.h"
#include "core/store/mapped_safetensors.h"
#include "core/io/safetensors.h"
#include "core/util/error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <bit>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

using namespace attnscope;
using namespace attnscope::hf;
using nlohmann::json;

namespace {

std::vector<float> randomValues(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
}

SafeTensor bf16Tensor(const std::string& name, const std::vector<float>& values,
                      std::vector<std::int64_t> shape) {
    SafeTensor t;
    t.name = name, t.dtype = "BF16", t.shape = std::move(shape);
    for (float v : values) {
        const std::uint16_t b =
            std::uint16_t(std::bit_cast<std::uint32_t>(v) >> 16); // truncation is a valid bf16
        t.bytes.push_back(std::uint8_t(b & 0xFF)), t.bytes.push_back(std::uint8_t(b >> 8));
    }
    return t;
}

void writeText(const QString& path, const std::string& text) {
    std::ofstream(path.toStdString()) << text;
}

// A tiny GPT-2 (2 layers, d 8, 2 heads, vocab 11, context 6) with every tensor transformers' GPT2LMHeadModel
// stores, each tensor filled with random values in F32.
std::map<std::string, std::vector<std::int64_t>> gpt2Shapes() {
    std::map<std::string, std::vector<std::int64_t>> s{{"transformer.wte.weight", {11, 8}},
                                                       {"transformer.wpe.weight", {6, 8}},
                                                       {"transformer.ln_f.weight", {8}},
                                                       {"transformer.ln_f.bias", {8}}};
    for (int l = 0; l < 2; ++l) {
        const std::string p = "transformer.h." + std::to_string(l) + ".";
        for (const char* n :
             {"ln_1.weight", "ln_1.bias", "ln_2.weight", "ln_2.bias", "attn.c_proj.bias", "mlp.c_proj.bias"})
            s[p + n] = {8};
        s[p + "attn.c_attn.weight"] = {8, 24}, s[p + "attn.c_attn.bias"] = {24};
        s[p + "attn.c_proj.weight"] = {8, 8};
        s[p + "mlp.c_fc.weight"] = {8, 32}, s[p + "mlp.c_fc.bias"] = {32};
        s[p + "mlp.c_proj.weight"] = {32, 8};
    }
    return s;
}

const char* kGpt2Config = R"({"model_type": "gpt2", "n_embd": 8, "n_head": 2, "n_layer": 2, "n_positions": 6,
                              "vocab_size": 11})";

} // namespace

class TstHfCheckpoint : public QObject {
    Q_OBJECT
private slots:
    void mappedTensorsReadBackInEveryDtype() {
        QTemporaryDir dir;
        const auto a = randomValues(12, 1), b = randomValues(10, 2), c = randomValues(6, 3);
        SafeTensorsFile f;
        f.add("a", a.data(), {3, 4});
        f.addAsF16("b", b.data(), {10});
        f.add(bf16Tensor("c", c, {2, 3}));
        const std::string path = dir.filePath("m.safetensors").toStdString();
        f.saveFile(path);
        const MappedSafeTensors m(path);
        QCOMPARE(int(m.tensors().size()), 3);
        for (const TensorView& t : m.tensors()) {
            std::vector<float> got(std::size_t(t.elementCount()));
            t.toFloat32(0, t.elementCount(), got.data());
            for (std::size_t i = 0; i < got.size(); ++i) {
                if (t.name == "a") QCOMPARE(got[i], a[i]);
                if (t.name == "b") QCOMPARE(got[i], blob::halfToFloat(blob::floatToHalf(b[i])));
                if (t.name == "c")
                    QCOMPARE(got[i], std::bit_cast<float>(std::bit_cast<std::uint32_t>(c[i]) & 0xFFFF0000u));
            }
            // F32 is used in place (no copy), the 16-bit types are converted.
            QCOMPARE(t.float32InPlace() != nullptr, t.name == "a");
        }
        // A part of a tensor converts alone (the forward converts weight blocks).
        std::vector<float> part(3);
        for (const TensorView& t : m.tensors())
            if (t.name == "b") t.toFloat32(4, 3, part.data());
        QCOMPARE(part[1], blob::halfToFloat(blob::floatToHalf(b[5])));
    }

    void damagedFilesAreRefused() {
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.safetensors");
        writeText(path, std::string("\x10\0\0\0\0\0\0\0{\"a\":", 13));
        QVERIFY_THROWS_EXCEPTION(Error, MappedSafeTensors(path.toStdString()));
        QVERIFY_THROWS_EXCEPTION(Error, MappedSafeTensors(dir.filePath("missing").toStdString()));
    }

    void folderBindsEveryTensorAndCountsParameters() {
        QTemporaryDir dir;
        writeText(dir.filePath("config.json"), kGpt2Config);
        SafeTensorsFile f;
        std::int64_t total = 0;
        unsigned seed = 0;
        for (const auto& [name, shape] : gpt2Shapes()) {
            std::int64_t n = 1;
            for (auto d : shape) n *= d;
            total += n;
            f.add(name, randomValues(std::size_t(n), ++seed).data(), shape);
        }
        std::vector<float> mask(36, 1.0f); // a stored buffer (old GPT-2 files) is not a parameter
        f.add("transformer.h.0.attn.bias", mask.data(), {1, 1, 6, 6});
        f.saveFile(dir.filePath("model.safetensors").toStdString());
        const HfCheckpoint model(dir.path().toStdString());
        QCOMPARE(model.parameterCount(), total);
        QCOMPARE(model.dtype(), std::string("F32"));
        QCOMPARE(model.weights().head, model.weights().embed); // tied
        QCOMPARE(model.weights().layers[1].qkv.storage, Storage::InOut);
    }

    void shardedFoldersAndTheirDamage() {
        QTemporaryDir dir;
        writeText(dir.filePath("config.json"), kGpt2Config);
        SafeTensorsFile one, two;
        json map;
        int k = 0;
        for (const auto& [name, shape] : gpt2Shapes()) {
            std::int64_t n = 1;
            for (auto d : shape) n *= d;
            (k % 2 ? one : two).add(name, randomValues(std::size_t(n), unsigned(k)).data(), shape);
            map[name] = k++ % 2 ? "model-1.safetensors" : "model-2.safetensors";
        }
        one.saveFile(dir.filePath("model-1.safetensors").toStdString());
        two.saveFile(dir.filePath("model-2.safetensors").toStdString());
        writeText(dir.filePath("model.safetensors.index.json"), json{{"weight_map", map}}.dump());
        QCOMPARE(HfCheckpoint(dir.path().toStdString()).config().layers, 2);
        // A missing shard, a missing tensor, a tensor of the wrong shape: each refused with its name.
        auto message = [&] {
            try {
                HfCheckpoint model(dir.path().toStdString());
            } catch (const Error& e) {
                return std::string(e.what());
            }
            return std::string();
        };
        QFile::rename(dir.filePath("model-2.safetensors"), dir.filePath("moved"));
        QVERIFY(message().find("model-2.safetensors") != std::string::npos);
        QFile::rename(dir.filePath("moved"), dir.filePath("model-2.safetensors"));
        SafeTensorsFile broken;
        for (const auto& t : one.tensors())
            if (t.name != "transformer.h.1.mlp.c_fc.weight") broken.add(t);
        broken.saveFile(dir.filePath("model-1.safetensors").toStdString());
        const std::string missing = message();
        QVERIFY2(missing.find("h.1.mlp.c_fc.weight") != std::string::npos ||
                     missing.find("h.1.") != std::string::npos,
                 missing.c_str());
        writeText(dir.filePath("config.json"),
                  R"({"model_type": "gpt2", "n_embd": 8, "n_head": 2, "n_layer": 2,
                                                  "n_positions": 7, "vocab_size": 11})");
        QVERIFY(message().find("shape") != std::string::npos);
    }

    void configRefusals() {
        auto refused = [](const char* text) {
            try {
                parseHfConfig(json::parse(text));
            } catch (const Error& e) {
                return std::string(e.what());
            }
            return std::string();
        };
        QVERIFY(refused(R"({"model_type": "bert"})").find("not supported") != std::string::npos);
        QVERIFY(refused(R"({"model_type": "llama", "hidden_size": 8, "num_attention_heads": 2,
            "num_hidden_layers": 1, "intermediate_size": 8, "vocab_size": 5, "max_position_embeddings": 8,
            "rope_scaling": {"rope_type": "llama3", "factor": 8}})")
                    .find("llama3") != std::string::npos);
        QVERIFY(refused(R"({"model_type": "llama", "hidden_size": 8, "num_attention_heads": 4,
            "num_key_value_heads": 3, "num_hidden_layers": 1, "intermediate_size": 8, "vocab_size": 5,
            "max_position_embeddings": 8})")
                    .find("key/value heads") != std::string::npos);
        QVERIFY(refused(R"({"model_type": "gpt2", "n_embd": 8, "n_head": 2, "n_layer": 1, "vocab_size": 5,
            "scale_attn_by_inverse_layer_idx": true})")
                    .find("inverse_layer_idx") != std::string::npos);
        // Pythia's keys: partial rotary of a quarter of each head.
        const HfConfig neox = parseHfConfig(json::parse(R"({"model_type": "gpt_neox", "hidden_size": 64,
            "num_attention_heads": 4, "num_hidden_layers": 1, "intermediate_size": 256, "vocab_size": 5,
            "max_position_embeddings": 8, "rotary_pct": 0.25, "rotary_emb_base": 10000})"));
        QCOMPARE(neox.rotaryDims, 4);
        QVERIFY(neox.parallelResidual);
    }

    void stepsFromFolderNames() {
        QCOMPARE(stepFromFolderName("/m/pythia-70m/step1000"), std::optional<int>(1000));
        QCOMPARE(stepFromFolderName("/m/run/checkpoint-250/"), std::optional<int>(250));
        QCOMPARE(stepFromFolderName("pythia-70m-step143000"), std::optional<int>(143000));
        QCOMPARE(stepFromFolderName("/m/gpt2"), std::optional<int>());
    }
};

QTEST_GUILESS_MAIN(TstHfCheckpoint)
#include "tst_hf_checkpoint.moc"
