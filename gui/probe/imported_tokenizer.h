#pragma once
// The tokenizer of a run imported from Hugging Face folders (`attnscope-cli import`, File › Open model…):
// "probe your own text" encodes with the model's own tokenizer.json, as transformers' tokenizer(text) does,
// not with the run's labels. Read once per run (a GPT-2 tokenizer.json is 50,000 merges) and kept.
#include "core/hf/bpe_tokenizer.h"

#include <QString>
#include <optional>

namespace attnscope::gui {

struct RunData;

// Whether the run was imported from model folders it can still name (ModelDescription::checkpointFolders).
bool isImportedModelRun(const RunData& run);

class ImportedTokenizer {
public:
    // The tokenizer.json of the run's first checkpoint folder that has one (the import's own choice);
    // nullptr with `why` set when none can be read.
    const hf::BpeTokenizer* forRun(const RunData& run, QString* why);

private:
    int m_run = 0;
    std::optional<hf::BpeTokenizer> m_tokenizer;
    QString m_error;
};

} // namespace attnscope::gui
