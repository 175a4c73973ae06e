#pragma once
// `attnscope-cli import`: Hugging Face checkpoint folders (one model, or a series of one model's training
// checkpoints) written as one run, one probe snapshot per folder at its training step, each computed by the
// imported-model forward (hf_forward.h) through the snapshot path engine runs use.
#include "core/eval/text_probe.h"
#include "core/hf/bpe_tokenizer.h"
#include "core/hf/hf_checkpoint.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace attnscope::hf {

// The probe text used when none is given: ordinary prose with a repeated sentence, so that previous-token
// and induction heads have something to show; cut to the model's context when that is shorter.
extern const char* const kDefaultProbeText;

struct ImportRequest {
    std::vector<std::string> folders;
    std::vector<int> steps; // one per folder; empty: from the folder names (stepFromFolderName)
    std::optional<std::string> probeText;
    std::vector<std::int32_t> probeIds; // used instead of a text when not empty
    // The induction probe's half length (core/data/induction_probe.h): n random ids of the vocabulary (not
    // the tokenizer's added tokens), then the same n, after the tokenizer's prefix (Llama's <s>); 0: none.
    int inductionHalf = 32;
    std::string out;
    bool overwrite = false;
};

struct ImportedSnapshot {
    std::string folder;
    int step = 0;
    double probeLoss = 0; // mean next-token cross-entropy over the probe (nats)
    double seconds = 0;   // the forward and the snapshot's metrics
};

// Checks everything (folders, shared architecture, steps, tokenizer, probe) before writing, then writes the
// run. `progress` is called after each snapshot. Throws attnscope::Error with a message naming the folder.
std::vector<ImportedSnapshot>
importCheckpoints(const ImportRequest& request,
                  const std::function<void(const ImportedSnapshot&)>& progress = {});

// The tokenizer of a model folder: its tokenizer.json, or nullopt when it has none.
std::optional<BpeTokenizer> folderTokenizer(const std::string& folder);

// "Probe your own text" on an imported model: `text` as transformers' tokenizer(text) encodes it (the
// tokenizer's prefix, such as Llama's <s>, first), cut to the model's context. Throws attnscope::Error for an
// empty text.
ProbeText encodeHfProbeText(const BpeTokenizer& tokenizer, const std::string& text, int context);

// What is known about the model in the agreed description format (run.model_json; keys absent when unknown).
nlohmann::json modelDescription(const HfCheckpoint& model, const std::string& source);

// The run file's tokenizer_json for an imported vocabulary: a label per id from 0 (the "vocab" kind of
// core/data/tokenizer.h); labels from the model's tokenizer, or the ids themselves without one.
std::string vocabularyTokenizerJson(const std::optional<BpeTokenizer>& tokenizer, int vocab);

} // namespace attnscope::hf
