#pragma once
// Synthetic teaching tasks, generated on the fly. Each sequence is filled with back-to-back instances (the
// last one cut at the sequence end); only positions whose token is determined by what came before are
// scored, every other target is kIgnoreTarget. Symbols are "0".."9" for alphabets up to 10, otherwise
// "a".."z", "A".."Z", "0".."9", "α", "β". Layouts (x = random symbol, n = kPromptLength):
//
//   copy       x1 … xn | x1 … xn ;        scored: the n symbols after '|'
//   reverse    x1 … xn | xn … x1 ;        scored: the n symbols after '|'
//   sort       x1 … xn | ascending x ;    scored: the n symbols after '|'
//   induction  r1 … rm r1 … rm ;          r distinct, m random in [⌈h/2⌉, h], h = min(alphabet, 16);
//                                         scored: the repeat from its 2nd symbol (r2 … rm). The repeat's r1
//                                         is not scored: m is unknown, so a fresh symbol could come instead.
//   modadd     a + b = c ;                c = (a + b) mod alphabet; scored: c
//   local      x1 y1 x2 y2 …              one stream per sequence; y_t = (x_t + … + x_{t−k+1}) mod alphabet,
//                                         terms before x1 count as 0; scored: every y
//
// With DataConfig::bos the sequence starts with <bos> (not scored). Train and validation are disjoint:
// an instance belongs to validation when a hash of its random content falls below val_fraction, and each
// split draws only its own instances (modadd splits the alphabet² operand pairs exactly). For tiny
// instance spaces (alphabet 2–3 induction) a split may be empty; after kMaxDraws tries the last draw is
// used, so the splits can then overlap.
#include "core/data/token_source.h"

#include <utility>

namespace attnscope {

// Valid DataConfig::task names, in display order.
const std::vector<std::string>& taskNames();

class SyntheticTask final : public TokenSource {
public:
    static constexpr int kPromptLength = 8;        // copy, reverse, sort: symbols per prompt
    static constexpr int kInductionMaxLength = 16; // induction: longest random sequence
    static constexpr int kMaxDraws = 1000;         // rejection-sampling bound for the split partition

    explicit SyntheticTask(const DataConfig& config); // throws attnscope::Error for an unknown task

    const Tokenizer& tokenizer() const override { return m_tokenizer; }
    std::string name() const override;
    std::string contentHash() const override { return m_hash; } // FNV-1a 64 of task name + parameters
    void sampleBatch(Split split, int batch, int length, Rng& rng, std::int32_t* inputs,
                     std::int32_t* targets) const override;
    void probe(int length, std::vector<std::int32_t>& inputs,
               std::vector<std::int32_t>& targets) const override;
    const std::vector<std::int32_t>& validationStream() const override { return m_noStream; }
    std::int64_t maxLength() const override;
    std::vector<std::int32_t> ordinarySymbols() const override; // the alphabet's ids

    // Token id of alphabet symbol s (0 ≤ s < alphabet); symbols follow the two specials.
    static std::int32_t symbolId(int s) { return 2 + s; }

private:
    enum class Kind { Copy, Reverse, Sort, Induction, ModAdd, Local };
    struct Stream {
        std::vector<std::int32_t> tokens;
        std::vector<bool> scored;
        void push(std::int32_t token, bool isScored) {
            tokens.push_back(token);
            scored.push_back(isScored);
        }
    };
    using Symbols = std::vector<std::int32_t>;

    void generate(Split split, int length, Rng& rng, std::int32_t* inputs, std::int32_t* targets) const;
    void appendInstance(Split split, Rng& rng, Stream& out) const;
    void appendLocal(Split split, Rng& rng, Stream& out, std::size_t tokens) const;
    bool inSplit(Split split, const Symbols& content) const;
    template <typename Draw> Symbols drawInSplit(Split split, Rng& rng, Draw draw) const;

    Kind m_kind = Kind::Copy;
    std::string m_task;
    int m_alphabet = 16;
    int m_localK = 4;
    bool m_bos = false;
    double m_valFraction = 0.1;
    std::int32_t m_sep = -1, m_end = -1, m_plus = -1, m_equals = -1; // separator ids; -1 if the task has none
    Tokenizer m_tokenizer;
    std::string m_hash;
    std::vector<std::int32_t> m_customProbe;
    std::vector<std::pair<int, int>> m_trainPairs, m_valPairs; // modadd operands per split
    std::vector<std::int32_t> m_noStream;
};

} // namespace attnscope
