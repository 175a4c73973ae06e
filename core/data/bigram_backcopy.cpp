#include "core/data/bigram_backcopy.h"

#include "core/data/source_common.h"
#include "core/util/error.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace attnscope {

namespace {

// Seed of the probe sequence: the same for every snapshot of every run of this task.
constexpr std::uint64_t kProbeSeed = 0x62626b70726f6265ULL; // "bbkprobe"

std::vector<double> normalised(std::vector<double> counts) {
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    for (double& c : counts) c /= total;
    return counts;
}

std::vector<double> cumulative(const std::vector<double>& p) {
    std::vector<double> c(p.size());
    std::partial_sum(p.begin(), p.end(), c.begin());
    return c;
}

} // namespace

BigramBackcopyTask::BigramBackcopyTask(std::string corpusName, std::string_view text,
                                       const DataConfig& config)
    : m_corpusName(std::move(corpusName)), m_tokenizer(Tokenizer::fromText(text)), m_bos(config.bos) {
    const std::vector<std::int32_t> tokens = m_tokenizer.encode(text);
    const std::size_t V = std::size_t(m_tokenizer.vocabSize());
    const int k = config.taskTriggers;
    const std::size_t distinct = V - 2; // the corpus bytes (fromText adds only <unk> and <bos>)
    if (distinct < std::size_t(k) + 1)
        throw Error("The bigram-backcopy task needs more distinct characters than triggers: " + m_corpusName +
                    " has " + std::to_string(distinct) + " and task_triggers is " + std::to_string(k) + ".");

    std::vector<double> unigram(V, 0.0);
    std::vector<std::vector<double>> pairs(V, std::vector<double>(V, 0.0));
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        unigram[std::size_t(tokens[i])] += 1;
        if (i + 1 < tokens.size()) pairs[std::size_t(tokens[i])][std::size_t(tokens[i + 1])] += 1;
    }
    m_marginal = normalised(unigram);

    std::vector<std::int32_t> byFrequency(V);
    std::iota(byFrequency.begin(), byFrequency.end(), 0);
    std::stable_sort(byFrequency.begin(), byFrequency.end(), [&](std::int32_t a, std::int32_t b) {
        return unigram[std::size_t(a)] > unigram[std::size_t(b)];
    });
    m_triggers.assign(byFrequency.begin(), byFrequency.begin() + k);
    m_isTrigger.assign(V, false);
    for (std::int32_t t : m_triggers) m_isTrigger[std::size_t(t)] = true;

    std::vector<double> first = unigram;
    for (std::int32_t t : m_triggers) first[std::size_t(t)] = 0;
    m_first = normalised(first);
    m_firstCdf = cumulative(m_first);

    m_rows.resize(V);
    m_rowCdf.resize(V);
    for (std::size_t a = 0; a < V; ++a) {
        const double total = std::accumulate(pairs[a].begin(), pairs[a].end(), 0.0);
        m_rows[a] = total > 0 ? normalised(pairs[a]) : m_marginal; // e.g. the corpus's last byte, once
        m_rowCdf[a] = cumulative(m_rows[a]);
    }

    std::string params = "attnscope-bigram-backcopy-v1;corpus=" + hex64(fnv1a64(text)) +
                         ";triggers=" + std::to_string(k) + ";bos=" + std::to_string(int(m_bos));
    m_hash = hex64(fnv1a64(params));
    if (!config.probeText.empty()) m_customProbe = encodeProbeText(m_tokenizer, config.probeText, m_bos);
}

std::vector<std::int32_t> BigramBackcopyTask::ordinarySymbols() const {
    std::vector<std::int32_t> ids = TokenSource::ordinarySymbols();
    ids.erase(std::remove_if(ids.begin(), ids.end(), [&](std::int32_t id) { return isTrigger(id); }),
              ids.end());
    return ids;
}

std::string BigramBackcopyTask::name() const {
    std::string triggers;
    for (std::int32_t t : m_triggers) {
        if (!triggers.empty()) triggers += ' ';
        triggers += m_tokenizer.display(t);
    }
    return std::string("task:") + kBigramBackcopyTask + " (" + m_corpusName + ", triggers " + triggers + ")";
}

std::int32_t BigramBackcopyTask::draw(const std::vector<double>& cdf, Rng& rng) const {
    // The last entry is 1 up to rounding: scale u by it so every draw lands on a token of nonzero mass.
    const double u = rng.uniform() * cdf.back();
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
    return std::int32_t(std::min<std::ptrdiff_t>(it - cdf.begin(), std::ptrdiff_t(cdf.size()) - 1));
}

void BigramBackcopyTask::generate(int length, Rng& rng, std::int32_t* inputs, std::int32_t* targets) const {
    std::vector<std::int32_t> s;
    s.reserve(std::size_t(length) + 2);
    if (m_bos) s.push_back(Tokenizer::kBos);
    s.push_back(draw(m_firstCdf, rng));
    while (s.size() < std::size_t(length) + 1) {
        const std::int32_t x = s.back();
        // x₁ is never a trigger, so a trigger always has a predecessor that is a corpus byte.
        s.push_back(isTrigger(x) ? s[s.size() - 2] : draw(m_rowCdf[std::size_t(x)], rng));
    }
    std::copy(s.begin(), s.begin() + length, inputs);
    std::copy(s.begin() + 1, s.begin() + length + 1, targets);
}

void BigramBackcopyTask::sampleBatch(Split, int batch, int length, Rng& rng, std::int32_t* inputs,
                                     std::int32_t* targets) const {
    if (length < 1)
        throw Error("A sequence needs at least one token (got length " + std::to_string(length) + ").");
    for (int b = 0; b < batch; ++b) {
        const std::size_t row = std::size_t(b) * std::size_t(length);
        generate(length, rng, inputs + row, targets + row);
    }
}

void BigramBackcopyTask::probe(int length, std::vector<std::int32_t>& inputs,
                               std::vector<std::int32_t>& targets) const {
    if (!m_customProbe.empty()) {
        probeFromTokens(m_customProbe, length, inputs, targets);
        return;
    }
    Rng rng(kProbeSeed);
    inputs.resize(std::size_t(std::max(length, 0)));
    targets.resize(inputs.size());
    if (length > 0) generate(length, rng, inputs.data(), targets.data());
}

std::int64_t BigramBackcopyTask::maxLength() const {
    return std::numeric_limits<std::int32_t>::max();
}

} // namespace attnscope
