#pragma once
// Starting texts for "probe your own text", written in the run's own vocabulary so that none of them is
// read as <unk>: the recorded probe text, a random sequence repeated (induction heads), one token repeated
// (attention sinks, position-only attention) and, for text corpora, a plain sentence.
#include "core/data/tokenizer.h"
#include "core/hf/bpe_tokenizer.h"

#include <QString>
#include <vector>

namespace attnscope::gui {

struct ProbePreset {
    QString name;
    QString text;
    QString why; // what to look for, shown as the preset's tooltip
};

// `recorded` is the run's recorded probe (may be empty); `limit` the most tokens the model takes and `bos`
// whether a <bos> token is put first (so every preset fits whole).
std::vector<ProbePreset> probePresets(const Tokenizer& tokenizer, const std::vector<std::int32_t>& recorded,
                                      int limit, bool bos);

// An imported model's: its recorded probe, decoded with its own tokenizer (the tokenizer's prefix left out,
// as the encoder puts it back), and the import's default paragraph with a repeated sentence, cut to `limit`
// tokens (the model's context).
std::vector<ProbePreset> importedProbePresets(const hf::BpeTokenizer& tokenizer,
                                              const std::vector<std::int32_t>& recorded, int limit);

} // namespace attnscope::gui
