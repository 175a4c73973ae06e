#pragma once
// The induction probe (Olsson et al. 2022, "repeated random tokens"): n distinct tokens drawn with a fixed
// seed from the data's ordinary symbols (TokenSource::ordinarySymbols: never a special, a task's separator
// or end marker, or a trigger), then the same n tokens again, after <bos> when the run uses it. On it a
// head's induction score is the prefix-matching score (core/probe/head_scores.h).
#include <cstdint>
#include <vector>

namespace attnscope {

inline constexpr std::uint64_t kInductionProbeSeed = 0x1dc7'0b5e'9e37'79b9ULL;
// The half length n: `requested` when positive, else as long as the context and the symbols allow
// (2n + bos ≤ context, n ≤ symbols). 0 when not even n = 2 fits, or requested < 0 (no probe).
int inductionProbeHalf(int requested, int context, int symbols, bool bos);

// <bos>? r_1 … r_n r_1 … r_n with r_k distinct draws from `symbols`; empty for n < 1 or n > symbols.
std::vector<std::int32_t> inductionProbeTokens(int half, const std::vector<std::int32_t>& symbols, bool bos,
                                               std::uint64_t seed = kInductionProbeSeed);

} // namespace attnscope
