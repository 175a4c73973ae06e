#pragma once
// Per-head scores that say what a head does (docs/metrics.md, "Head scores and roles"). A (T×T) row-major
// probabilities with exact zeros on invisible keys; `tokens` the T probe tokens the map was computed on.
//
// The token-pattern scores use the detection patterns of TransformerLens's head detector
// (transformer_lens/head_detector.py: previous_token_head, duplicate_token_head, induction_head) with its
// "mul" measure, Σ A⊙P / Σ A, but averaged over the queries the pattern gives a target (TransformerLens
// divides by all T rows, so that a perfect head scores (T − rows without target)/T; here it scores 1).
// On a sequence of distinct random tokens repeated once, the induction score is Olsson et al. (2022)'s
// prefix-matching score: the mean attention from a token of the repeat to the token after its first
// occurrence.
#include <cstdint>

namespace attnscope {

// Keys within this distance of the query (the query included) count as local (localMass).
inline constexpr int kLocalWindow = 4;

struct HeadScores {
    float previousToken = 0;  // mean over queries i ≥ 1 of A_{i,i−1}
    float duplicateToken = 0; // mean over queries with an earlier j: t_j = t_i of Σ_{j<i, t_j = t_i} A_ij
    float induction = 0; // same queries: Σ_{1≤j≤i, t_{j−1} = t_i, j−1 < i} A_ij (prefix matching)
    float localMass = 0; // mean over queries i ≥ kLocalWindow of Σ_{i−w<j≤i} A_ij, w = kLocalWindow
};

HeadScores headScores(const float* A, const std::int32_t* tokens, int T);

struct ProbeSnapshot;
// Fills a snapshot's four score arrays from its attention maps and tokens when it lacks them (files written
// before the scores were recorded, writers that leave them out). Returns whether it filled them.
bool fillMissingHeadScores(ProbeSnapshot& snapshot);

} // namespace attnscope
