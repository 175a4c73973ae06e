#pragma once
// A byte-level text corpus (any UTF-8 text file, or the assembled fortunes text) as a TokenSource.
// The token stream is the corpus bytes; its last `valFraction` is the validation part, the rest trains.
#include "core/data/token_source.h"

#include <string>
#include <string_view>

namespace attnscope {

// Throws attnscope::Error unless `bytes` is non-empty UTF-8 text: an empty file, a binary file (NUL bytes,
// or more than 1% control characters) and invalid UTF-8 (with the byte offset and line) are refused.
// `label` names the content in the message, e.g. "The corpus file '/x.txt'".
void checkText(std::string_view bytes, const std::string& label);

// Reads a whole file and checks it with checkText; missing, unreadable or directory paths throw too.
std::string readTextFile(const std::string& path);

class TextCorpus final : public TokenSource {
public:
    // `text` must already have passed checkText. `name` is the provenance identity ("file:/x.txt"),
    // `label` how error messages name the corpus ("The corpus file '/x.txt'"). Throws attnscope::Error if
    // either split is too short for one sequence of `context` tokens, or config.probeText has no known byte.
    TextCorpus(std::string name, std::string label, std::string_view text, const DataConfig& config,
               int context);

    const Tokenizer& tokenizer() const override { return m_tokenizer; }
    std::string name() const override { return m_name; }
    std::string contentHash() const override { return m_hash; } // FNV-1a 64 of the corpus bytes
    void sampleBatch(Split split, int batch, int length, Rng& rng, std::int32_t* inputs,
                     std::int32_t* targets) const override;
    void probe(int length, std::vector<std::int32_t>& inputs,
               std::vector<std::int32_t>& targets) const override;
    const std::vector<std::int32_t>& validationStream() const override { return m_val; }
    std::int64_t maxLength() const override;

    const std::vector<std::int32_t>& trainStream() const { return m_train; }

private:
    // Corpus tokens one sequence of `length` consumes: inputs plus the final target, one fewer with <bos>.
    std::size_t tokensPerSequence(int length) const { return std::size_t(length) + (m_bos ? 0 : 1); }
    const std::vector<std::int32_t>& stream(Split split) const {
        return split == Split::Train ? m_train : m_val;
    }
    // One sequence starting at stream token `offset`: <bos> first if enabled, targets = next tokens.
    void crop(const std::vector<std::int32_t>& s, std::size_t offset, int length, std::int32_t* inputs,
              std::int32_t* targets) const;
    void requireLength(Split split, int length) const;
    // Bos-aligned sequences: the offsets in `split` where a sequence of `length` may start (document starts
    // leaving room for it). Throws attnscope::Error when there is none.
    std::size_t alignedStarts(Split split, int length) const;

    std::string m_name;
    std::string m_label;
    std::string m_hash;
    Tokenizer m_tokenizer;
    std::vector<std::int32_t> m_train;
    std::vector<std::int32_t> m_val;
    std::vector<std::int32_t> m_customProbe; // encoded DataConfig::probeText; empty: crop of validation
    bool m_bos = false;
    bool m_aligned = false;                              // DataConfig::bosAligned
    std::vector<std::size_t> m_trainStarts, m_valStarts; // document starts per split, ascending
};

} // namespace attnscope
