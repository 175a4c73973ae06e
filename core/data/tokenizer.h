#pragma once
// Byte-level tokenizer whose vocabulary is the set of bytes that occur in the corpus, plus two specials.
// Id 0 is <unk> (a byte the corpus never contained: counted, never dropped), id 1 is <bos>.
// A third kind labels a foreign model's vocabulary ("vocab": ids from 0, one text label each, e.g. a
// tokenizer.json's pieces decoded to text), so runs recorded from other models show their tokens.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

class Tokenizer {
public:
    static constexpr std::int32_t kUnk = 0;
    static constexpr std::int32_t kBos = 1;

    Tokenizer(); // only the two specials
    // Vocabulary from the distinct bytes of `text`, in byte order after the specials.
    static Tokenizer fromText(std::string_view text);
    // Vocabulary of `symbols` named tokens (synthetic tasks), after the specials.
    static Tokenizer fromSymbols(const std::vector<std::string>& symbols);
    // A foreign vocabulary: id i is labelled labels[i], from id 0; no specials are added (labels may repeat:
    // two byte-level pieces can decode to the same text).
    static Tokenizer fromLabels(std::vector<std::string> labels);

    int vocabSize() const { return int(m_tokens.size()); }
    // Byte tokens (text corpora) or named symbols (synthetic tasks: whitespace only separates them).
    bool isByteLevel() const { return m_byteLevel; }
    // Labels of a foreign vocabulary (fromLabels): ids 0 and 1 are tokens like any other.
    bool isLabelled() const { return m_labelled; }
    // Encodes bytes; bytes outside the vocabulary become kUnk and are counted in *unknownCount. *unknownAt
    // receives the byte offset in `text` of each of them (so a GUI can name the characters it could not
    // read).
    std::vector<std::int32_t> encode(std::string_view text, std::size_t* unknownCount = nullptr,
                                     std::vector<std::size_t>* unknownAt = nullptr) const;
    std::string decode(const std::vector<std::int32_t>& ids) const;
    // Readable label for GUIs and figures: "␣" for space, "⏎" for newline, "⇥" for tab, "<unk>", "<bos>",
    // "\xNN" for other control or non-ASCII bytes; the character itself otherwise.
    std::string display(std::int32_t id) const;

    // Round trip through JSON text (stored in run files and checkpoints).
    std::string toJson() const;
    static Tokenizer fromJson(const std::string& json); // throws attnscope::Error on malformed input

private:
    std::vector<std::string> m_tokens; // token text (one byte for byte tokens, a name for specials/symbols)
    std::array<std::int32_t, 256> m_byteToId{};
    bool m_byteLevel = true;
    bool m_labelled = false;
};

} // namespace attnscope
