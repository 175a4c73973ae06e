#pragma once
// Pieces shared by every token source: the content digest and the custom probe text.
#include "core/data/tokenizer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

// FNV-1a, 64 bit (Fowler–Noll–Vo). Not cryptographic: it identifies content for provenance and notices
// accidental changes, which is all a run needs to cite its data. Feed several pieces by passing the
// previous result as `state`.
inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t state = kFnvOffset);
// 16 lowercase hex digits.
std::string hex64(std::uint64_t value);

// Tokens of the user's custom probe text, preceded by <bos> when `bos`. Throws attnscope::Error when the
// text is empty or has no token the vocabulary knows (a probe of only <unk> shows nothing). *unknownAt
// receives the byte offsets of the characters read as <unk> (Tokenizer::encode).
std::vector<std::int32_t> encodeProbeText(const Tokenizer& tokenizer, const std::string& text, bool bos,
                                          std::vector<std::size_t>* unknownAt = nullptr);

// Probe inputs/targets from a token sequence: its first `length` tokens (fewer if it is shorter) as inputs,
// the next tokens as targets; the last token of the sequence has no successor, so its target is
// kIgnoreTarget.
void probeFromTokens(const std::vector<std::int32_t>& tokens, int length, std::vector<std::int32_t>& inputs,
                     std::vector<std::int32_t>& targets);

} // namespace attnscope
