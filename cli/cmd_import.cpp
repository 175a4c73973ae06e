// attnscope-cli import: Hugging Face checkpoint folders (GPT-2, GPT-NeoX/Pythia, Llama/Mistral/Qwen2) as a
// run whose timeline has one probe snapshot per folder at its training step (core/hf/hf_import.h).
#include "cli/common.h"
#include "core/hf/hf_import.h"
#include "core/util/error.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace attnscope::cli {

namespace {

int runImport(const Args& args) {
    hf::ImportRequest request;
    request.folders = args.positionals();
    request.out = args.text("out").value_or("");
    if (request.out.empty()) throw UsageError("import needs --out RUN.attnrun");
    const int probeOptions =
        int(args.has("probe-text")) + int(args.has("probe-file")) + int(args.has("probe-ids"));
    if (probeOptions > 1) throw UsageError("give at most one of --probe-text, --probe-file and --probe-ids");
    if (args.has("probe-text")) request.probeText = *args.text("probe-text");
    if (args.has("probe-file")) {
        const std::string path = *args.text("probe-file");
        std::ifstream in(path, std::ios::binary);
        if (!in) throw Error("Cannot open the probe file " + path + ".");
        request.probeText = std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (const auto ids = args.integerList("probe-ids", 0, (1 << 30)))
        request.probeIds.assign(ids->begin(), ids->end());
    if (const auto steps = args.integerList("steps", 0, 1'000'000'000)) request.steps = *steps;
    request.inductionHalf = args.integer("induction-probe", 0, 1 << 20).value_or(request.inductionHalf);
    useThreads(args.integer("threads", 0, 4096).value_or(0));
    request.overwrite = args.has("force");
    const bool quiet = args.has("quiet");
    const auto done = hf::importCheckpoints(request, [&](const hf::ImportedSnapshot& s) {
        if (!quiet)
            std::printf("step %-10d probe loss %.4f nats  (%.2f s)  %s\n", s.step, s.probeLoss, s.seconds,
                        s.folder.c_str());
    });
    if (!quiet)
        std::printf("wrote %s: %zu snapshot%s\n", request.out.c_str(), done.size(),
                    done.size() == 1 ? "" : "s");
    return 0;
}

} // namespace

const Command& importCommand() {
    static const Command command{
        {"import",
         "probe Hugging Face checkpoint folders (GPT-2, Pythia, Llama, ...) into a run",
         "attnscope-cli import MODEL_DIR... --out RUN.attnrun [options]",
         "Reads Hugging Face model folders (config.json + model.safetensors or a sharded\n"
         "model.safetensors.index.json; F32, F16 or BF16 weights) of the GPT-2, GPT-NeoX (Pythia) and\n"
         "Llama (Llama, Mistral, Qwen2) families, runs the probe through each in the engine, and writes a\n"
         "run with one snapshot per folder at its training step: every attention map, content-logit map\n"
         "and per-head metric an engine run has. Steps come from folder names (step1000,\n"
         "checkpoint-1000) or --steps; one folder without a step is step 0. The probe is tokenized with the\n"
         "first folder's tokenizer.json; a folder without one needs --probe-ids. docs/real-models.md has\n"
         "the details and what is refused.",
         1,
         100000,
         {{"out", "RUN", "the run file to write (.attnrun)"},
          {"probe-text", "TEXT", "the probe text (default: a short paragraph with a repeated sentence)"},
          {"probe-file", "FILE", "read the probe text from FILE"},
          {"probe-ids", "IDS", "the probe as comma-separated token ids (no tokenizer needed)"},
          {"steps", "N,N,...", "the training step of each folder, in the order given"},
          {"induction-probe", "N",
           "the induction probe: N random token ids, then the same N (default 32; 0: none)"},
          {"threads", "N", "threads for the forward passes (default: all cores)"},
          {"force", "", "overwrite RUN if it exists"},
          {"quiet", "", "print nothing but errors"}},
         "  attnscope-cli import ~/models/gpt2 --out gpt2.attnrun --probe-text 'Hello world'\n"
         "  attnscope-cli import pythia-70m/step1000 pythia-70m/step8000 pythia-70m/step143000 \\\n"
         "      --out pythia-70m.attnrun\n"},
        runImport};
    return command;
}

} // namespace attnscope::cli
