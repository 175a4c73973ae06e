// attnscope-cli train: builds a RunSpec from a preset, a JSON config and flags, then trains and records it.
#include "cli/common.h"
#include "cli/training_loop.h"
#include "core/data/token_source.h"
#include "core/eval/extrapolation.h"
#include "core/store/run_file.h"
#include "core/train/presets.h"
#include "core/train/trainer.h"
#include "core/util/clipped_text.h"
#include "core/util/error.h"
#include "core/util/input_file.h"
#include "core/util/json_nesting.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace attnscope::cli {

namespace {

RunSpec specFromConfigFile(const std::string& path, RunSpec spec) {
    const std::string label = "The config file " + path;
    const std::string text = readInputFile(path, kMaxConfigFileBytes, label);
    checkJsonNesting(text, label);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(label + " is not valid JSON: " + clippedForDisplay(e.what(), kMaxShownErrorDetail));
    }
    try {
        applyJson(j, spec);
    } catch (const Error& e) {
        throw Error("The config file " + path + ": " + e.what());
    }
    return spec;
}

template <typename Enum> Enum enumValue(const Args& args, const std::string& option, const char* choices) {
    Enum value{};
    const std::string text = *args.text(option);
    if (!parse(text, value))
        throw UsageError("option --" + option + ": unknown value '" + text + "' (" + choices + ")");
    return value;
}

// Overlays the flags that were given onto the spec (preset and config file come first).
void applyFlags(const Args& a, RunSpec& s) {
    ModelConfig& m = s.model;
    TrainConfig& t = s.train;
    if (auto v = a.text("name")) s.name = *v;
    if (auto v = a.integer("steps", 1, INT_MAX)) t.steps = *v;
    if (auto v = a.number("lr", 0, 1e6)) t.lr = *v;
    if (auto v = a.integer("batch", 1, 1 << 20)) t.batch = *v;
    if (auto v = a.integer("warmup", 0, INT_MAX)) t.warmup = *v;
    if (auto v = a.number("min-lr-ratio", 0, 1)) t.minLrRatio = *v;
    if (auto v = a.number("weight-decay", 0, 1e6)) t.weightDecay = *v;
    if (a.has("optimizer")) t.optimizer = enumValue<OptimizerKind>(a, "optimizer", "adamw or sgd");
    if (auto v = a.number("momentum", 0, 1)) t.momentum = *v;
    if (auto v = a.unsignedInteger("seed")) t.seed = *v;
    if (auto v = a.integer("threads", 0, 4096)) t.threads = *v;
    if (auto v = a.integer("record-every", 1, INT_MAX)) t.recordEvery = *v;
    if (auto v = a.integer("eval-every", 1, INT_MAX)) t.evalEvery = *v;
    if (auto v = a.integer("checkpoint-every", 0, INT_MAX)) t.checkpointEvery = *v;
    if (auto v = a.integer("probe-length", 0, 1 << 16)) t.probeLength = *v;
    if (auto v = a.integer("layers", 1, 1024)) m.layers = *v;
    if (auto v = a.integer("heads", 1, 1024)) m.heads = *v;
    if (auto v = a.integer("d-model", 1, 1 << 16)) m.dModel = *v;
    if (auto v = a.integer("context", 1, 1 << 16)) m.context = *v;
    if (a.has("position"))
        m.position = enumValue<PositionScheme>(a, "position", "learned, sinusoidal, none, alibi or rope");
    if (a.has("alibi")) {
        if (a.has("position") && m.position != PositionScheme::Alibi)
            throw UsageError("--alibi contradicts --position " + *a.text("position"));
        m.position = PositionScheme::Alibi;
    }
    if (auto v = a.integer("ls-window", 1, 1 << 16)) m.lsAttention = true, m.window = *v;
    if (auto v = a.integer("global-heads", 0, 1024)) m.lsAttention = true, m.globalHeads = *v;
    if (a.has("value-residual"))
        m.valueResidual =
            enumValue<ValueResidual>(a, "value-residual", "off, identity, constant, learnable or svformer");
    if (a.has("sigma-reparam"))
        m.sigmaReparam = enumValue<SigmaReparam>(a, "sigma-reparam", "off, fused or separate");
    if (a.has("gamma-init")) m.gammaInit = enumValue<GammaInit>(a, "gamma-init", "one or sigma0");
    if (a.has("qk-norm")) m.qkNorm = true;
    if (a.has("attention")) m.attention = enumValue<AttentionFunction>(a, "attention", "softmax or relu");
    if (auto v = a.number("z-loss", 0, 1e6)) m.zLoss = *v;
    if (auto v = a.text("data")) applyDataOption(*v, s.data);
    if (auto v = a.integer("task-alphabet", 2, 64)) s.data.taskAlphabet = *v;
    if (a.has("bos")) s.data.bos = true;
    if (a.has("no-bos")) {
        if (a.has("bos") || a.has("bos-aligned"))
            throw UsageError("--no-bos contradicts --bos/--bos-aligned");
        s.data.bos = false, s.data.bosAligned = false;
    }
    if (a.has("bos-aligned")) s.data.bosAligned = true, s.data.bos = true;
    if (auto v = a.integer("task-triggers", 1, 32)) s.data.taskTriggers = *v;
}

int runTrain(const Args& args) {
    if (auto resume = args.text("resume")) {
        for (const std::string& name : args.given())
            if (name != "resume" && name != "steps" && name != "threads" && name != "quiet")
                throw UsageError(
                    "--resume continues a recorded run with its own configuration; only --steps, "
                    "--threads and --quiet can go with it (not --" +
                    name + ")");
        return resumeRun(*resume, args);
    }
    RunSpec spec;
    if (auto id = args.text("preset")) {
        const Preset* preset = findPreset(*id);
        if (!preset) throw UsageError("unknown preset '" + *id + "' (attnscope-cli presets lists them)");
        spec = preset->spec;
    }
    if (auto file = args.text("config")) spec = specFromConfigFile(*file, spec);
    applyFlags(args, spec);

    useThreads(spec.train.threads);
    if (spec.validate().empty()) { // otherwise the Trainer below names what is wrong
        ModelConfig sized = spec.model;
        sized.vocab = 256; // upper bound before the data is read: byte-level tokenizers never exceed it
        checkMemory(forwardBytesPerSequence(sized, sized.context) * std::size_t(spec.train.batch) * 2,
                    "Training with batch " + std::to_string(spec.train.batch) + " × context " +
                        std::to_string(spec.model.context),
                    "Use a smaller batch, context or model.");
    }
    // Validates and loads the data: every configuration error surfaces here.
    const std::unique_ptr<RunDriver> driver = RunDriver::create(spec);
    const Trainer& trainer = driver->trainer();
    if (args.has("dry-run")) {
        std::printf("%s\n", toJson(trainer.spec()).dump(2).c_str());
        std::printf("valid: %s parameters, data %s\n",
                    withThousands(parameterCount(trainer.spec().model)).c_str(),
                    trainer.data().name().c_str());
        return 0;
    }
    std::string out = args.text("out", "");
    if (out.empty()) {
        std::filesystem::create_directories("runs");
        out = "runs/" + fileNameFor(spec.name) + kRunFileExtension;
    }
    if (!args.has("force") && std::filesystem::exists(out))
        throw Error(out + " already exists; use --force to overwrite it or --out to write another file.");
    driver->recordTo(out, args.has("force"));
    if (!args.has("quiet"))
        std::fprintf(stderr, "training %s (%s parameters, %s) → %s\n", spec.name.c_str(),
                     withThousands(parameterCount(trainer.spec().model)).c_str(),
                     trainer.data().name().c_str(), out.c_str());
    return runTrainingLoop(*driver, {out, args.has("quiet")});
}

} // namespace

const Command& trainCommand() {
    static const Command command{
        {"train",
         "train a model and record the run into an .attnrun file",
         "attnscope-cli train [--preset ID] [--config FILE.json] [options]",
         "Builds the run configuration from a preset (--preset), then a RunSpec JSON file (--config; "
         "unknown\n"
         "keys are errors), then the flags below, in that order. Trains on all cores by default and records\n"
         "every step, probe snapshot, event and checkpoint into the run file. Progress goes to stderr.\n"
         "Ctrl-C stops after the current step and writes a final checkpoint; the run can then be resumed\n"
         "bit-identically with `attnscope-cli resume RUN`. A diverged run is a result: exit status 0.",
         0,
         0,
         {{"preset", "ID", "start from a preset (see attnscope-cli presets)"},
          {"config", "FILE", "RunSpec JSON overlaid on the preset (model/train/data sections)"},
          {"name", "NAME", "run name (default: the preset id, or \"run\")"},
          {"out", "RUN", "run file to write (default runs/<name>.attnrun)"},
          {"force", "", "overwrite an existing run file"},
          {"steps", "N", "optimisation steps"},
          {"lr", "X", "peak learning rate"},
          {"batch", "N", "sequences per step"},
          {"warmup", "N", "linear warmup steps"},
          {"min-lr-ratio", "X", "cosine floor as a fraction of --lr (1 = constant after warmup)"},
          {"weight-decay", "X", "weight decay (decoupled: θ ← θ − lr·X·θ)"},
          {"optimizer", "OPT", "adamw | sgd (SGD with momentum)"},
          {"momentum", "X", "SGD momentum (default 0.9)"},
          {"seed", "N", "random seed (initialisation and data order)"},
          {"threads", "N", "OpenMP threads (0 = all cores)"},
          {"layers", "N", "transformer layers"},
          {"heads", "N", "attention heads per layer"},
          {"d-model", "N", "model width"},
          {"context", "N", "training sequence length L"},
          {"position", "P", "learned | sinusoidal | none | alibi | rope"},
          {"alibi", "", "same as --position alibi"},
          {"ls-window", "W", "LS-attention: local heads see W keys"},
          {"global-heads", "G", "LS-attention: number of global heads"},
          {"value-residual", "MODE", "off | identity | constant | learnable | svformer"},
          {"sigma-reparam", "MODE", "off | fused | separate"},
          {"gamma-init", "MODE", "σReparam γ init: one | sigma0"},
          {"qk-norm", "", "QK-LayerNorm per head"},
          {"attention", "FN", "softmax | relu (relu(q·k/√D)/visible keys, no sum to one)"},
          {"z-loss", "C", "z-loss coefficient (1e-4 in Wortsman et al.)"},
          {"data", "SOURCE",
           "fortunes | file:PATH | task:NAME (copy, reverse, sort, induction, modadd, local, "
           "bigram-backcopy)"},
          {"task-alphabet", "N", "synthetic tasks: number of symbols"},
          {"bos", "", "start every training sequence with <bos>"},
          {"no-bos", "", "no <bos> (e.g. to undo a preset's)"},
          {"bos-aligned", "", "text corpora: sequences start at document starts, with <bos>"},
          {"task-triggers", "K", "bigram-backcopy: the K most frequent characters are triggers"},
          {"record-every", "N", "probe snapshot every N steps"},
          {"eval-every", "N", "validation loss every N steps"},
          {"checkpoint-every", "N", "checkpoint every N steps (0: only at the end)"},
          {"probe-length", "N", "tokens in the probe sequence (0 = the context); maps are N×N"},
          {"resume", "RUN", "continue a recorded run instead (same as attnscope-cli resume RUN)"},
          {"dry-run", "", "print the resulting configuration and check it, without training"},
          {"quiet", "", "no progress output"}},
         "  attnscope-cli train --preset exp-extrapolation/alibi --steps 500\n"
         "  attnscope-cli train --data task:copy --layers 1 --d-model 32 --context 32 --steps 300 --out "
         "copy.attnrun\n"
         "  attnscope-cli train --config my-run.json --threads 4\n"},
        runTrain};
    return command;
}

} // namespace attnscope::cli
