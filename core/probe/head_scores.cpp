#include "core/probe/head_scores.h"

#include "core/probe/snapshot.h"

#include <cstddef>

namespace attnscope {

HeadScores headScores(const float* A, const std::int32_t* tokens, int T) {
    double previous = 0, duplicate = 0, induction = 0, local = 0;
    int previousRows = 0, repeatRows = 0, localRows = 0;
    for (int i = 0; i < T; ++i) {
        const float* row = A + std::size_t(i) * T;
        if (i >= 1) previous += row[i - 1], ++previousRows;
        bool repeated = false;
        double dup = 0, ind = 0;
        for (int j = 0; j < i; ++j)
            if (tokens[j] == tokens[i]) {
                repeated = true;
                dup += row[j];
                ind += row[j + 1]; // j + 1 ≤ i: the token after the earlier occurrence
            }
        if (repeated) duplicate += dup, induction += ind, ++repeatRows;
        if (i >= kLocalWindow) {
            double mass = 0;
            for (int j = i - kLocalWindow + 1; j <= i; ++j) mass += row[j];
            local += mass, ++localRows;
        }
    }
    HeadScores s;
    s.previousToken = previousRows ? float(previous / previousRows) : 0.0f;
    s.duplicateToken = repeatRows ? float(duplicate / repeatRows) : 0.0f;
    s.induction = repeatRows ? float(induction / repeatRows) : 0.0f;
    s.localMass = localRows ? float(local / localRows) : 0.0f;
    return s;
}

bool fillMissingHeadScores(ProbeSnapshot& s) {
    const std::size_t heads = std::size_t(s.layers) * std::size_t(s.heads);
    const std::size_t T = std::size_t(s.length);
    if (!s.inductionScore.empty() || s.attention.size() != heads * T * T || s.tokens.size() != T)
        return false;
    for (auto* v : {&s.previousToken, &s.duplicateToken, &s.inductionScore, &s.localMass})
        v->assign(heads, 0.0f);
    for (std::size_t k = 0; k < heads; ++k) {
        const HeadScores h = headScores(s.attention.data() + k * T * T, s.tokens.data(), s.length);
        s.previousToken[k] = h.previousToken, s.duplicateToken[k] = h.duplicateToken;
        s.inductionScore[k] = h.induction, s.localMass[k] = h.localMass;
    }
    return true;
}

} // namespace attnscope
