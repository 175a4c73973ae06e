#pragma once
// The Bigram-Backcopy task of Guo et al. 2024, "Active-Dormant Attention Heads" (arXiv 2410.13835, §2;
// code GuoTianYu2000/Active-Dormant-Attention BBM/data.py), the regime where attention sinks reliably form
// at CPU scale:
//   - vocabulary: the corpus bytes (+ the tokenizer's <unk>, <bos>);
//   - a bigram chain P(b | a) from the adjacent-byte counts of the corpus, normalised per row (a byte that
//     is never followed by another uses the marginal);
//   - triggers: the k most frequent bytes (k = DataConfig::taskTriggers, 3 by default: for fortunes space,
//     'e' and 't'); ties go to the smaller byte;
//   - a sequence: <bos> (when DataConfig::bos), x₁ from the byte marginal with the triggers removed, then for
//     each t: if xₜ is a trigger, xₜ₊₁ = xₜ₋₁ (backcopy), otherwise xₜ₊₁ ~ P(· | xₜ).
// Every sequence is fresh and starts at position 0; every position is scored. x₁ is never a trigger, so no
// two triggers are adjacent and the token a trigger copies is never <bos>. The loss splits into the
// backcopy part (inputs that are triggers, whose target is determined) and the bigram part (all others,
// including <bos> → x₁), reported per step as "backcopy_loss" and "bigram_loss".
// Train and validation draw from the same chain (validation uses its own fixed batches, see Trainer).
#include "core/data/token_source.h"

#include <string_view>

namespace attnscope {

inline constexpr const char* kBigramBackcopyTask = "bigram-backcopy";

class BigramBackcopyTask final : public TokenSource {
public:
    // `corpusName` names where `text` came from ("fortunes (12 files)", "file:/x.txt"). Throws
    // attnscope::Error when the text has fewer than k + 1 distinct bytes (nothing would be left to sample).
    BigramBackcopyTask(std::string corpusName, std::string_view text, const DataConfig& config);

    const Tokenizer& tokenizer() const override { return m_tokenizer; }
    std::string name() const override;
    std::string contentHash() const override { return m_hash; }
    void sampleBatch(Split split, int batch, int length, Rng& rng, std::int32_t* inputs,
                     std::int32_t* targets) const override;
    void probe(int length, std::vector<std::int32_t>& inputs,
               std::vector<std::int32_t>& targets) const override;
    const std::vector<std::int32_t>& validationStream() const override { return m_noStream; }
    std::int64_t maxLength() const override;
    std::vector<std::int32_t> triggerTokens() const override { return m_triggers; }
    std::vector<std::int32_t> ordinarySymbols() const override; // every byte but the triggers
    std::vector<std::string> lossParts() const override { return {"bigram_loss", "backcopy_loss"}; }
    int lossPart(const std::int32_t* sequence, int i) const override {
        return isTrigger(sequence[i]) ? 1 : 0;
    }

    bool isTrigger(std::int32_t token) const {
        return token >= 0 && std::size_t(token) < m_isTrigger.size() && m_isTrigger[std::size_t(token)];
    }
    // Distributions over token ids (vocabulary size): the byte marginal, the marginal without triggers
    // (x₁), and the bigram row of `token`.
    const std::vector<double>& marginal() const { return m_marginal; }
    const std::vector<double>& firstTokenDistribution() const { return m_first; }
    const std::vector<double>& transition(std::int32_t token) const { return m_rows[std::size_t(token)]; }

private:
    std::int32_t draw(const std::vector<double>& cumulative, Rng& rng) const;
    void generate(int length, Rng& rng, std::int32_t* inputs, std::int32_t* targets) const;

    std::string m_corpusName;
    std::string m_hash;
    Tokenizer m_tokenizer;
    bool m_bos = true;
    std::vector<std::int32_t> m_triggers;
    std::vector<bool> m_isTrigger;
    std::vector<double> m_marginal, m_first;
    std::vector<std::vector<double>> m_rows;
    std::vector<double> m_firstCdf;
    std::vector<std::vector<double>> m_rowCdf;
    std::vector<std::int32_t> m_customProbe;
    std::vector<std::int32_t> m_noStream;
};

} // namespace attnscope
