// attnscope-cli export-checkpoint: one checkpoint of a run as a standalone .safetensors file.
#include "cli/common.h"
#include "core/io/safetensors.h"
#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>

namespace attnscope::cli {

namespace {

int runExportCheckpoint(const Args& args) {
    const std::string path = args.positionals().at(0);
    if (!args.has("out")) throw UsageError("export-checkpoint needs --out FILE.safetensors");
    const std::string out = *args.text("out");
    const RunReader reader(path);
    const std::vector<int> steps = reader.checkpointSteps();
    if (steps.empty()) throw Error(path + " has no checkpoint yet.");
    int step = steps.back();
    if (auto wanted = args.integer("step", 0, INT_MAX)) {
        if (std::find(steps.begin(), steps.end(), *wanted) == steps.end()) {
            std::string list;
            for (int s : steps) list += (list.empty() ? "" : ", ") + std::to_string(s);
            throw Error(path + " has no checkpoint at step " + std::to_string(*wanted) + "; it has steps " +
                        list + ".");
        }
        step = *wanted;
    }
    if (!args.has("force") && std::filesystem::exists(out))
        throw Error(out + " already exists (use --force to overwrite it).");
    SafeTensorsFile file = SafeTensorsFile::parse(reader.checkpoint(step));
    // The tokenizer and data identity travel with the weights, so `eval --checkpoint` and other tools can
    // encode text exactly as the run did without the run file.
    file.metadata["tokenizer"] = reader.header().tokenizerJson;
    file.metadata["corpus_name"] = reader.header().corpusName;
    file.metadata["corpus_hash"] = reader.header().corpusHash;
    file.saveFile(out);
    std::printf("wrote the checkpoint of step %d (%zu tensors) to %s\n", step, file.tensors().size(),
                out.c_str());
    return 0;
}

} // namespace

const Command& exportCheckpointCommand() {
    static const Command command{
        {"export-checkpoint",
         "write one checkpoint of a run as a .safetensors file",
         "attnscope-cli export-checkpoint RUN --out FILE.safetensors [--step N]",
         "Copies a checkpoint (parameters `param/<name>`, AdamW moments, RNG state; docs/run-format.md) out "
         "of\n"
         "the run file, adding the tokenizer and corpus identity to its metadata. Python reads it with\n"
         "safetensors.numpy.load_file; attnscope-cli eval --checkpoint evaluates it.",
         1,
         1,
         {{"out", "FILE", "the .safetensors file to write (required)"},
          {"step", "N", "checkpoint step (default: the latest)"},
          {"force", "", "overwrite an existing file"}},
         "  attnscope-cli export-checkpoint runs/alibi.attnrun --out alibi.safetensors\n"},
        runExportCheckpoint};
    return command;
}

} // namespace attnscope::cli
