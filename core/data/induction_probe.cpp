#include "core/data/induction_probe.h"

#include "core/data/tokenizer.h"
#include "core/util/rng.h"

#include <algorithm>

namespace attnscope {

int inductionProbeHalf(int requested, int context, int symbols, bool bos) {
    if (requested < 0) return 0;
    const int fits = std::min((context - (bos ? 1 : 0)) / 2, symbols);
    const int half = requested > 0 ? std::min(requested, fits) : fits;
    return half >= 2 ? half : 0;
}

std::vector<std::int32_t> inductionProbeTokens(int half, const std::vector<std::int32_t>& symbols, bool bos,
                                               std::uint64_t seed) {
    const int count = int(symbols.size());
    if (half < 1 || half > count) return {};
    std::vector<std::int32_t> pool = symbols;
    Rng rng(seed);
    for (int i = 0; i < half; ++i) // partial Fisher–Yates: the first `half` entries are distinct draws
        std::swap(pool[std::size_t(i)], pool[std::size_t(i) + rng.below(std::uint64_t(count - i))]);
    std::vector<std::int32_t> tokens;
    if (bos) tokens.push_back(Tokenizer::kBos);
    for (int repeat = 0; repeat < 2; ++repeat) tokens.insert(tokens.end(), pool.begin(), pool.begin() + half);
    return tokens;
}

} // namespace attnscope
