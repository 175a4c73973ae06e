// attnscope-cli eval: loss and perplexity of a checkpoint at one or more sequence lengths (extrapolation).
#include "cli/common.h"
#include "core/data/fortunes.h"
#include "core/data/text_corpus.h"
#include "core/data/token_source.h"
#include "core/eval/extrapolation.h"
#include "core/io/safetensors.h"
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"
#include "core/util/input_file.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>

namespace attnscope::cli {

namespace {

struct ModelSource {
    std::vector<std::uint8_t> checkpoint;
    std::string label;         // "runs/x.attnrun, checkpoint of step 500"
    std::string tokenizerJson; // empty when a standalone file does not carry it
    std::string corpusHash;
};

ModelSource openModelSource(const Args& args) {
    ModelSource m;
    if (args.has("run") == args.has("checkpoint"))
        throw UsageError("eval needs exactly one of --run RUN or --checkpoint FILE.safetensors");
    if (auto run = args.text("run")) {
        const RunReader reader(*run);
        const std::vector<int> steps = reader.checkpointSteps();
        if (steps.empty()) throw Error(*run + " has no checkpoint yet.");
        int step = steps.back();
        if (auto wanted = args.integer("step", 0, INT_MAX)) {
            if (std::find(steps.begin(), steps.end(), *wanted) == steps.end())
                throw Error(*run + " has no checkpoint at step " + std::to_string(*wanted) + ".");
            step = *wanted;
        }
        m.checkpoint = reader.checkpoint(step);
        m.label = *run + ", checkpoint of step " + std::to_string(step);
        m.tokenizerJson = reader.header().tokenizerJson;
        m.corpusHash = reader.header().corpusHash;
        return m;
    }
    if (args.has("step")) throw UsageError("--step selects a checkpoint of a run file; it needs --run");
    const std::string path = *args.text("checkpoint");
    // A checkpoint holds weights and optimiser state: far below this bound for any model the engine trains.
    constexpr std::size_t kMaxCheckpointBytes = std::size_t(8) << 30;
    const std::string bytes = readInputFile(path, kMaxCheckpointBytes, "The checkpoint file " + path);
    m.checkpoint.assign(bytes.begin(), bytes.end());
    SafeTensorsFile file;
    try {
        file = SafeTensorsFile::parse(m.checkpoint);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    if (auto it = file.metadata.find("tokenizer"); it != file.metadata.end()) m.tokenizerJson = it->second;
    if (auto it = file.metadata.find("corpus_hash"); it != file.metadata.end()) m.corpusHash = it->second;
    m.label = path;
    return m;
}

// What the model is evaluated on: a TokenSource with the model's own vocabulary (its validation split, or
// fresh task instances), or another text encoded with the model's tokenizer.
struct EvalData {
    std::unique_ptr<TokenSource> source;
    std::vector<std::int32_t> stream; // used when `source` is null
    std::string description;
};

EvalData resolveData(const RunSpec& spec, ModelSource& model, const Args& args) {
    DataConfig config = spec.data;
    const bool own = !args.has("data");
    if (!own) applyDataOption(*args.text("data"), config);
    EvalData data;
    // Context 1: any text with at least two tokens per split is acceptable for evaluation.
    auto source = makeTokenSource(config, 1);
    if (model.tokenizerJson.empty()) {
        if (!own)
            throw Error(
                "This checkpoint does not carry its tokenizer; evaluate it on its own data (omit --data) "
                "or export it with attnscope-cli export-checkpoint.");
        model.tokenizerJson = source->tokenizer().toJson();
    }
    if (source->tokenizer().toJson() == model.tokenizerJson) {
        const auto& stream = source->validationStream();
        data.description = source->name() + (stream.empty() ? ", fresh validation instances"
                                                            : ", validation split (" +
                                                                  withThousands(stream.size()) + " tokens)");
        if (own && !model.corpusHash.empty() && source->contentHash() != model.corpusHash)
            data.description += " — note: the data changed since training";
        data.source = std::move(source);
        return data;
    }
    if (config.source == "task")
        throw Error("The task " + config.task +
                    " uses a different vocabulary than this model was trained with; "
                    "evaluate on the model's own task or on a text.");
    // Another text: every byte is encoded as the model saw bytes; unseen bytes become <unk>.
    const std::string text = config.source == "file" ? readTextFile(config.path) : loadFortunes().text;
    const Tokenizer tokenizer = Tokenizer::fromJson(model.tokenizerJson);
    std::size_t unknown = 0;
    data.stream = tokenizer.encode(text, &unknown);
    data.description =
        source->name() + ", whole text (" + withThousands(data.stream.size()) + " tokens" +
        (unknown ? ", " + withThousands(unknown) + " bytes unknown to the model" : std::string()) + ")";
    return data;
}

std::vector<int> defaultLengths(int context) {
    return {context, context * 3 / 2, 2 * context, 4 * context, 8 * context};
}

int runEval(const Args& args) {
    // Usage is checked before anything is read, so a typo is reported as such and not as a file problem.
    if (args.has("save") && !args.has("run"))
        throw UsageError("--save stores the results in a run file; it needs --run");
    const std::optional<std::vector<int>> givenLengths = args.integerList("length", 1, 1 << 20);
    const std::string mode = args.text("mode", args.has("stride") ? "sliding" : "nonoverlapping");
    int stride = 0;
    if (mode == "sliding") {
        if (!args.has("stride")) throw UsageError("--mode sliding needs --stride S");
        stride = *args.integer("stride", 1, 1 << 20);
    } else if (mode != "nonoverlapping") {
        throw UsageError("option --mode expects nonoverlapping or sliding, got '" + mode + "'");
    } else if (args.has("stride")) {
        throw UsageError("--stride applies to --mode sliding");
    }
    const std::optional<int> threads = args.integer("threads", 0, 4096);
    const std::optional<std::int64_t> maxTokens = args.integer64("max-tokens", 1, std::int64_t(1) << 40);
    const int repeats = args.integer("repeats", 1, 1000).value_or(5);

    ModelSource source = openModelSource(args);
    LoadedModel loaded = loadModel(source.checkpoint);
    const ModelConfig& config = loaded.spec.model;
    const std::vector<int> lengths = givenLengths.value_or(defaultLengths(config.context));
    for (const int length : lengths) {
        if (extrapolationLimit(config, length).empty())
            checkMemory(forwardBytesPerSequence(config, length),
                        "Evaluating one sequence of " + std::to_string(length) + " tokens",
                        "Use a shorter length.");
        if (stride > length)
            throw UsageError("--stride " + std::to_string(stride) + " is longer than the length " +
                             std::to_string(length));
    }
    useThreads(threads.value_or(loaded.spec.train.threads));
    const EvalData data = resolveData(loaded.spec, source, args);

    ExtrapolationOptions options;
    options.stride = stride;
    options.maxTokens = maxTokens.value_or(options.maxTokens);
    options.bos = loaded.spec.data.bos;
    options.step = loaded.step;
    const bool latency = args.has("latency");
    // An LS-attention model is also timed with every head global (same weights): what its local heads save.
    std::unique_ptr<Model<float>> fullAttention;
    if (latency && config.lsAttention) {
        ModelConfig full = config;
        full.lsAttention = false;
        fullAttention = std::make_unique<Model<float>>(full);
        fullAttention->params = loaded.model->params;
    }

    const auto badges = config.mechanismBadges();
    std::string mechanisms;
    for (const auto& b : badges) mechanisms += (mechanisms.empty() ? "" : ", ") + b;
    std::printf("model  %s (%s; trained at L=%d)\n", source.label.c_str(), mechanisms.c_str(),
                config.context);
    std::printf("data   %s\n\n", data.description.c_str());
    // One row per length; `pad` counts characters, not bytes, so "—" keeps the columns aligned.
    auto printRow = [&](const std::string& length, const std::string& mode, const std::string& tokens,
                        const std::string& loss, const std::string& ppl, const std::string& ms,
                        const std::string& fullMs, const std::string& saving, const std::string& note) {
        std::string row =
            pad(length, 7) + "  " + pad(mode, -15) + pad(tokens, 10) + pad(loss, 10) + pad(ppl, 12);
        if (latency) row += pad(ms, 11);
        if (fullAttention) row += pad(fullMs, 11) + pad(saving, 8);
        row += "  " + note;
        while (!row.empty() && row.back() == ' ') row.pop_back();
        std::printf("%s\n", row.c_str());
    };
    printRow("length", "mode", "tokens", "loss", "perplexity", "latency", "full attn", "saving", "note");
    std::vector<EvalRecord> records;
    for (const int length : lengths) {
        EvalCoverage coverage;
        const EvalRecord r = data.source
                                 ? evaluateAtLength(*loaded.model, *data.source, length, options, &coverage)
                                 : evaluateStream(*loaded.model, data.stream, length, options, &coverage);
        std::string ms, fullMs, saving;
        if (latency) {
            const double t = forwardLatencyMs(*loaded.model, length, repeats);
            ms = std::isnan(t) ? "—" : roundedNumber(t, 3) + " ms";
            if (fullAttention) {
                const double f = forwardLatencyMs(*fullAttention, length, repeats);
                fullMs = std::isnan(f) ? "—" : roundedNumber(f, 3) + " ms";
                saving = std::isnan(t) || std::isnan(f) ? "—" : roundedNumber(100 * (1 - t / f), 2) + "%";
            }
        }
        printRow(std::to_string(r.length), r.mode,
                 coverage.scoredTokens ? withThousands(std::uint64_t(coverage.scoredTokens)) : "—",
                 roundedNumber(r.loss, 5), roundedNumber(r.perplexity, 5), ms, fullMs, saving, r.note);
        std::fflush(stdout);
        records.push_back(r);
    }
    if (args.has("save")) {
        RunWriter writer = RunWriter::openForAppend(*args.text("run"));
        for (const EvalRecord& r : records) writer.appendEval(r);
        std::printf("\nsaved %zu evaluations into %s\n", records.size(), args.text("run")->c_str());
    }
    return 0;
}

} // namespace

const Command& evalCommand() {
    static const Command command{
        {"eval",
         "loss and perplexity of a checkpoint at several lengths (extrapolation)",
         "attnscope-cli eval (--run RUN [--step N] | --checkpoint FILE.safetensors) [options]",
         "Evaluates a checkpoint on the validation split of its own data (default), on another text\n"
         "(--data file:PATH or fortunes, encoded with the model's tokenizer) or on fresh instances of a "
         "task.\n"
         "Lengths default to the training context L and 1.5L, 2L, 4L, 8L (Press et al.'s protocol).\n"
         "nonoverlapping cuts the text into consecutive chunks of the length and scores every token; "
         "sliding\n"
         "advances windows by --stride S and scores only each window's last S tokens (each then sees at "
         "least\n"
         "length − S tokens of context; costs length/S times more). Learned positions cannot run past L: "
         "their\n"
         "rows show a note instead of a number.",
         0,
         0,
         {{"run", "RUN", "evaluate a checkpoint of this run file"},
          {"step", "N", "the checkpoint's step (default: the latest)"},
          {"checkpoint", "FILE", "evaluate a standalone .safetensors checkpoint instead"},
          {"data", "SOURCE", "fortunes | file:PATH | task:NAME (default: the run's own data)"},
          {"length", "L[,L2...]", "sequence lengths (default: L, 1.5L, 2L, 4L, 8L)"},
          {"mode", "MODE", "nonoverlapping (default) | sliding"},
          {"stride", "S", "sliding-window stride (implies --mode sliding)"},
          {"max-tokens", "N", "score at most about N tokens per length (default 32768)"},
          {"latency", "",
           "also measure one inference forward per length (median); an LS-attention model is also timed "
           "with all heads global (full attn) and the saving printed"},
          {"repeats", "N", "timed forwards for --latency (default 5)"},
          {"threads", "N", "OpenMP threads (default: the run's setting)"},
          {"save", "", "store the results in the run file (evals table)"}},
         "  attnscope-cli eval --run runs/exp-extrapolation_alibi.attnrun\n"
         "  attnscope-cli eval --run runs/alibi.attnrun --length 128,256 --stride 64 --save\n"
         "  attnscope-cli eval --checkpoint alibi.safetensors --data file:held-out.txt --latency\n"},
        runEval};
    return command;
}

} // namespace attnscope::cli
