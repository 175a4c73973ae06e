#pragma once
// Hugging Face tokenizer.json with a BPE model (Sennrich et al. 2016), in the two forms the supported
// families ship:
//   byte-level (GPT-2, GPT-NeoX/Pythia): the ByteLevel pre-tokenizer cuts the text with GPT-2's pattern and
//     writes every byte as a printable character (pretokenize.h), then merges apply within each piece;
//   SentencePiece-style (Llama, Mistral): spaces become "▁" (a Prepend + Replace normalizer or a Metaspace
//     pre-tokenizer), merges apply to the characters, and a character outside the vocabulary becomes its
//     UTF-8 bytes as <0xNN> tokens (byte_fallback).
// Merges apply lowest rank first (the earliest line of "merges"), the leftmost pair on a tie. Added tokens
// (e.g. <|endoftext|>, <s>) are matched in the text before anything else. A tokenizer.json in another form
// (WordPiece, Unigram, another pre-tokenizer pattern) is refused with a message.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <memory>
#include <nlohmann/json_fwd.hpp>

namespace attnscope::hf {

struct MergeTable;

class BpeTokenizer {
public:
    // Throws attnscope::Error for a malformed or unsupported tokenizer.json.
    static BpeTokenizer fromJson(const nlohmann::json& tokenizerJson);
    static BpeTokenizer fromFile(const std::string& path);

    // Ids of `text`; with addSpecialTokens, the tokens the post-processor puts first (Llama's <s>), as
    // transformers' tokenizer(text) does.
    std::vector<std::int32_t> encode(std::string_view text, bool addSpecialTokens = true) const;
    // The text of `ids` (bytes of byte-level and <0xNN> tokens joined before UTF-8 is read; "▁" as a space;
    // added tokens as their content).
    std::string decode(const std::vector<std::int32_t>& ids) const;
    // One token as readable text, the same as the Python package's labels (attnscope/hf_tokenizer.py): added
    // tokens by their content, byte-level pieces and <0xNN> tokens as the text of their bytes ("\xnn" for a
    // byte that is not a complete UTF-8 character or is a control character other than newline and tab),
    // SentencePiece pieces with "▁" as a space; "<id>" for an id no piece has.
    std::string label(std::int32_t id) const;
    // Labels of every id from 0 to vocabSize() − 1 ("" for an id with no token).
    std::vector<std::string> labels() const;

    int vocabSize() const { return int(m_pieces.size()); }
    bool byteLevel() const { return m_byteLevel; }
    std::int32_t tokenId(const std::string& piece) const; // −1 when absent
    bool isAdded(std::int32_t id) const; // an added token (<|endoftext|>, <s>, …): never ordinary text
    // The post-processor's tokens before every text (Llama's <s>); empty for GPT-2 and Pythia.
    const std::vector<std::int32_t>& prefixIds() const { return m_prefixIds; }

private:
    void encodePiece(std::string_view piece, std::vector<std::int32_t>& out) const;
    std::string bytesOf(std::int32_t id) const; // the bytes the token stands for

    bool m_byteLevel = false;
    bool m_byteFallback = false;
    bool m_ignoreMerges = false;
    bool m_byteLevelPrefixSpace = false; // ByteLevel add_prefix_space
    bool m_spaceToMeta = false;          // SentencePiece: spaces written as "▁"
    bool m_metaspaceSplit = false;       // SentencePiece: a word starts at every "▁"
    bool m_prependSpace = false;         // SentencePiece: "▁" before the text
    bool m_prependFirstOnly = false;     // ... only before the first segment (prepend_scheme "first")
    bool m_prependAlways = false;        // ... even before a "▁" (the Prepend normalizer)
    std::int32_t m_unk = -1;
    std::unordered_map<std::string, std::int32_t> m_vocab;
    std::shared_ptr<const MergeTable> m_merges;
    std::vector<std::string> m_pieces;        // id → token string
    std::vector<bool> m_added;                // id → an added token (matched in the raw text)
    std::vector<std::string> m_addedContents; // longest first
    std::vector<std::int32_t> m_prefixIds;    // post-processor's tokens before the text
};

} // namespace attnscope::hf
