#include "core/data/source_common.h"

#include "core/data/token_source.h"
#include "core/util/error.h"

#include <algorithm>

namespace attnscope {

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t state) {
    for (unsigned char c : bytes) {
        state ^= c;
        state *= 0x100000001b3ULL;
    }
    return state;
}

std::string hex64(std::uint64_t value) {
    static const char* digits = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, value >>= 4) s[i] = digits[value & 15];
    return s;
}

std::vector<std::int32_t> encodeProbeText(const Tokenizer& tokenizer, const std::string& text, bool bos,
                                          std::vector<std::size_t>* unknownAt) {
    if (text.empty()) throw Error("The probe text is empty; type a few characters of the training data.");
    std::size_t unknown = 0;
    std::vector<std::int32_t> ids = tokenizer.encode(text, &unknown, unknownAt);
    if (ids.empty() || unknown == ids.size())
        throw Error(
            "The probe text \"" + text.substr(0, 40) +
            "\" has no character the vocabulary knows; write it with characters of the training data.");
    if (bos) ids.insert(ids.begin(), Tokenizer::kBos);
    return ids;
}

void probeFromTokens(const std::vector<std::int32_t>& tokens, int length, std::vector<std::int32_t>& inputs,
                     std::vector<std::int32_t>& targets) {
    const std::size_t n = std::min(tokens.size(), std::size_t(std::max(length, 0)));
    inputs.assign(tokens.begin(), tokens.begin() + n);
    targets.assign(n, kIgnoreTarget);
    for (std::size_t i = 0; i < n && i + 1 < tokens.size(); ++i) targets[i] = tokens[i + 1];
}

} // namespace attnscope
