#pragma once
// Text pieces for byte-pair encoding as Hugging Face tokenizers cuts them.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope::hf {

// One character of a text: a code point with its UTF-8 bytes, or a byte that is not valid UTF-8 (kept as
// itself, codePoint −1, classed as neither letter, number nor space) so that any byte string round-trips.
struct TextUnit {
    std::int32_t codePoint;
    std::size_t begin, end; // bytes [begin, end) of the text
};
std::vector<TextUnit> decodeUtf8(std::string_view text);
std::string encodeUtf8(std::uint32_t codePoint);

// GPT-2's pre-tokenizer pattern (Radford et al. 2019; tokenizers' ByteLevel with use_regex):
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// with Unicode letters, numbers and white space. Returns the pieces as byte ranges of `text`.
std::vector<std::pair<std::size_t, std::size_t>> splitGpt2(std::string_view text);

// GPT-2's bytes_to_unicode: every byte maps to a printable character (printable Latin-1 bytes to
// themselves, the others to U+0100 + k in byte order), so that byte strings are BPE'd as text.
const std::array<std::string, 256>& byteToUnicode();
// The inverse, for decoding: the byte a character stands for, or −1.
int unicodeToByte(std::int32_t codePoint);

} // namespace attnscope::hf
