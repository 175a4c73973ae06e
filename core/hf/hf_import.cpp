#include "core/hf/hf_import.h"

#include "core/data/induction_probe.h"
#include "core/hf/hf_forward.h"
#include "core/store/run_writer.h"
#include "core/train/run_spec.h"
#include "core/util/error.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

namespace attnscope::hf {

const char* const kDefaultProbeText = "The old lighthouse keeper climbed the stairs every evening to light "
                                      "the lamp. Ships passing in the night "
                                      "saw the beam and knew the rocks were near. The old lighthouse keeper "
                                      "climbed the stairs every evening to "
                                      "light the lamp.";

namespace {

bool sameArchitecture(const HfConfig& a, const HfConfig& b) {
    return a.family == b.family && a.layers == b.layers && a.heads == b.heads && a.kvHeads == b.kvHeads &&
           a.headDim == b.headDim && a.dModel == b.dModel && a.vocab == b.vocab;
}

std::string layoutText(const HfConfig& c) {
    return std::string(familyName(c.family)) + " " + std::to_string(c.layers) + " layers × " +
           std::to_string(c.heads) + " heads, d_model " + std::to_string(c.dModel) + ", vocabulary " +
           std::to_string(c.vocab);
}

RunSpec runSpecOf(const HfConfig& c, int lastStep) {
    RunSpec spec;
    spec.name = "import";
    ModelConfig& m = spec.model;
    m.layers = c.layers, m.heads = c.heads, m.dModel = c.dModel, m.vocab = c.vocab, m.context = c.context;
    m.position = c.rotary() ? PositionScheme::Rope : PositionScheme::Learned;
    m.ropeTheta = c.rotaryBase;
    m.tiedHead = c.tiedEmbeddings;
    m.layerNormEps = c.normEps;
    spec.train.steps = std::max(lastStep, 1); // the run's timeline ends at its last checkpoint
    return spec;
}

// What the run is called: the model folder's name; for a folder named by its step (step1000, a Pythia
// revision) or a series of such folders, the model's name above them ("pythia-160m", "pythia-160m/step1000").
std::string runName(const std::string& folder, bool series) {
    const std::filesystem::path path = std::filesystem::absolute(folder).lexically_normal();
    std::filesystem::path leaf = path.filename(), parent = path.parent_path().filename();
    if (leaf.empty())
        leaf = path.parent_path().filename(), parent = path.parent_path().parent_path().filename();
    if (!stepFromFolderName(leaf.string()) || parent.empty()) return leaf.string();
    return series ? parent.string() : parent.string() + "/" + leaf.string();
}

// Olsson et al.'s repeated random tokens for an imported model: distinct ids of its vocabulary that are not
// added tokens, after the tokenizer's prefix, as long as the context allows.
std::vector<std::int32_t> inductionProbe(int half, const HfConfig& config,
                                         const std::optional<BpeTokenizer>& tokenizer) {
    if (half <= 0) return {};
    std::vector<std::int32_t> prefix = tokenizer ? tokenizer->prefixIds() : std::vector<std::int32_t>{};
    std::vector<std::int32_t> symbols;
    for (std::int32_t id = 0; id < config.vocab; ++id)
        if (!tokenizer || !tokenizer->isAdded(id)) symbols.push_back(id);
    const int context = config.context - int(prefix.size());
    half = std::min({half, context / 2, int(symbols.size())});
    if (half < 2) return {};
    std::vector<std::int32_t> tokens = inductionProbeTokens(half, symbols, false);
    tokens.insert(tokens.begin(), prefix.begin(), prefix.end());
    return tokens;
}

} // namespace

std::optional<BpeTokenizer> folderTokenizer(const std::string& folder) {
    const std::string path = (std::filesystem::path(folder) / "tokenizer.json").string();
    if (!std::filesystem::exists(path)) return std::nullopt;
    return BpeTokenizer::fromFile(path);
}

nlohmann::json modelDescription(const HfCheckpoint& model, const std::string& source) {
    const HfConfig& c = model.config();
    nlohmann::json j;
    j["family"] = c.modelType;
    j["source"] = source;
    j["layers"] = c.layers, j["heads"] = c.heads, j["kv_heads"] = c.kvHeads, j["head_dim"] = c.headDim;
    j["d_model"] = c.dModel, j["vocab"] = c.vocab, j["context"] = c.context;
    if (c.rotary())
        j["position"] = {{"scheme", "rotary"},
                         {"rotary_fraction", double(c.rotaryDims) / c.headDim},
                         {"rotary_base", c.rotaryBase}};
    else
        j["position"] = {{"scheme", "learned"}};
    j["norm"] = c.rmsNorm() ? "rmsnorm" : "layernorm";
    j["mlp"] = c.gatedMlp()                                                                  ? "swiglu"
               : c.activation == Activation::GeluErf || c.activation == Activation::GeluTanh ? "gelu"
               : c.activation == Activation::Relu                                            ? "relu"
                                                                                             : "silu";
    j["parallel_residual"] = c.parallelResidual;
    j["tied_embeddings"] = c.tiedEmbeddings;
    j["parameters"] = model.parameterCount();
    j["dtype"] = model.dtype();
    j["name_or_path"] = std::filesystem::absolute(model.folder()).lexically_normal().string();
    return j;
}

ProbeText encodeHfProbeText(const BpeTokenizer& tokenizer, const std::string& text, int context) {
    ProbeText p;
    p.tokens = tokenizer.encode(text);
    if (text.empty() || p.tokens.size() <= tokenizer.prefixIds().size())
        throw Error("Type a text to probe, or pick a preset.");
    p.limit = context;
    if (int(p.tokens.size()) > context) {
        p.dropped = p.tokens.size() - std::size_t(context);
        p.tokens.resize(std::size_t(context));
    }
    return p;
}

std::string vocabularyTokenizerJson(const std::optional<BpeTokenizer>& tokenizer, int vocab) {
    std::vector<std::string> labels(static_cast<std::size_t>(vocab));
    for (int i = 0; i < vocab; ++i) {
        labels[std::size_t(i)] = tokenizer ? tokenizer->label(i) : std::to_string(i);
    }
    nlohmann::json j{
        {"format", "attnscope-tokenizer"}, {"version", 1}, {"kind", "vocab"}, {"labels", labels}};
    return j.dump();
}

std::vector<ImportedSnapshot>
importCheckpoints(const ImportRequest& request,
                  const std::function<void(const ImportedSnapshot&)>& progress) {
    if (request.folders.empty()) throw Error("No model folder to import.");
    if (!request.steps.empty() && request.steps.size() != request.folders.size())
        throw Error("--steps gives " + std::to_string(request.steps.size()) + " steps for " +
                    std::to_string(request.folders.size()) + " folders; give one per folder.");
    // Every folder opens and describes the same architecture before anything is written.
    struct Entry {
        std::string folder;
        int step;
    };
    std::vector<Entry> entries;
    std::optional<HfConfig> first;
    nlohmann::json description; // of the first folder's model, for the header's model_json
    for (std::size_t i = 0; i < request.folders.size(); ++i) {
        const std::string& folder = request.folders[i];
        const HfCheckpoint model(folder);
        if (first && !sameArchitecture(*first, model.config()))
            throw Error(folder + " holds a " + layoutText(model.config()) + " model, but " +
                        request.folders[0] + " a " + layoutText(*first) +
                        ": a run holds one model's checkpoints.");
        if (!first) {
            first = model.config();
            description = modelDescription(model, "import");
        }
        int step = 0;
        if (!request.steps.empty()) {
            step = request.steps[i];
        } else if (const auto named = stepFromFolderName(folder)) {
            step = *named;
        } else if (request.folders.size() > 1) {
            throw Error("Cannot tell the training step of " + folder +
                        ": name the folders like step1000 (as Pythia's revisions) or pass --steps.");
        }
        entries.push_back({folder, step});
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.step < b.step; });
    for (std::size_t i = 1; i < entries.size(); ++i)
        if (entries[i].step == entries[i - 1].step)
            throw Error(entries[i - 1].folder + " and " + entries[i].folder + " are both step " +
                        std::to_string(entries[i].step) + ".");
    // Where each step's model lives, so the app can probe a text through it later.
    nlohmann::json folders = nlohmann::json::array();
    for (const Entry& e : entries)
        folders.push_back(
            {{"step", e.step}, {"path", std::filesystem::absolute(e.folder).lexically_normal().string()}});
    description["checkpoint_folders"] = folders;

    const std::optional<BpeTokenizer> tokenizer = folderTokenizer(request.folders[0]);
    std::vector<std::int32_t> probe = request.probeIds;
    std::string probeText;
    if (probe.empty()) {
        if (!tokenizer)
            throw Error(request.folders[0] +
                        " has no tokenizer.json: give the probe as token ids (--probe-ids).");
        probeText = request.probeText.value_or(kDefaultProbeText);
        probe = tokenizer->encode(probeText);
        if (probe.empty()) throw Error("The probe text has no tokens.");
        // The default paragraph is cut to a short context; a text the user gave is refused instead (below).
        if (!request.probeText && first->context > 0 && int(probe.size()) > first->context) {
            probe.resize(std::size_t(first->context));
            probeText = tokenizer->decode(probe);
        }
    } else {
        probeText = tokenizer ? tokenizer->decode(probe) : std::string();
    }
    checkProbe(*first, probe);
    const std::vector<std::int32_t> induction = inductionProbe(request.inductionHalf, *first, tokenizer);

    RunHeader header;
    // The spec states only what is known of an imported model's training: the step its timeline ends at (no
    // seed, learning rate or batch; readers show those as unknown).
    nlohmann::json spec = toJson(runSpecOf(*first, entries.back().step));
    spec["name"] = runName(entries.front().folder, entries.size() > 1);
    spec["train"] = nlohmann::json{{"steps", spec["train"]["steps"]},
                                   {"induction_probe", induction.empty() ? -1 : int(induction.size()) / 2}};
    header.specJson = spec.dump();
    header.corpusName = std::filesystem::path(request.folders[0]).filename().string();
    header.tokenizerJson = vocabularyTokenizerJson(tokenizer, first->vocab);
    header.modelJson = description.dump(); // readers take the model from here
    header.probeTokens = probe;
    header.probeText = probeText;
    header.description = "Imported from " + std::to_string(entries.size()) +
                         " Hugging Face checkpoint folder" + (entries.size() == 1 ? "" : "s") + " (" +
                         layoutText(*first) + ").";
    RunWriter writer = RunWriter::create(
        request.out, header, request.overwrite ? RunWriter::IfExists::Overwrite : RunWriter::IfExists::Fail);
    writer.setStatus(RunStatus::Training, 0);
    std::vector<ImportedSnapshot> done;
    for (const Entry& e : entries) {
        const auto start = std::chrono::steady_clock::now();
        const HfCheckpoint model(e.folder);
        TextProbeResult r = probeHfModel(model, probe, e.step);
        auto snapshot = std::make_shared<ProbeSnapshot>(*r.snapshot);
        if (!induction.empty()) snapshot->induction = snapshotHfModel(model, induction, e.step);
        snapshot->scalarNames.push_back("probe_loss");
        snapshot->scalarValues.push_back(float(r.meanLoss));
        writer.appendSnapshot(*snapshot);
        ImportedSnapshot d{e.folder, e.step, r.meanLoss,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
        done.push_back(d);
        if (progress) progress(d);
    }
    writer.setStatus(RunStatus::Finished, entries.back().step);
    return done;
}

} // namespace attnscope::hf
