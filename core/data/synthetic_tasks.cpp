#include "core/data/synthetic_tasks.h"

#include "core/data/bigram_backcopy.h"
#include "core/data/source_common.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace attnscope {

namespace {

// Seed of the probe instance: fixed so every snapshot of every run with the same task shows the same text.
constexpr std::uint64_t kProbeSeed = 0x70726f6265ULL; // "probe"

std::string symbolName(int s, int alphabet) {
    if (alphabet <= 10) return std::string(1, char('0' + s));
    if (s < 26) return std::string(1, char('a' + s));
    if (s < 52) return std::string(1, char('A' + s - 26));
    if (s < 62) return std::string(1, char('0' + s - 52));
    return s == 62 ? "\u03B1" : "\u03B2"; // α, β
}

// splitmix64 finaliser: FNV-1a of a few bytes leaves its high bits poorly mixed, and the partition
// compares them with val_fraction.
std::uint64_t avalanche(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Uniform in [0, 1) from the content of one instance.
double contentPoint(const std::vector<std::int32_t>& content) {
    const std::string_view bytes(reinterpret_cast<const char*>(content.data()),
                                 content.size() * sizeof(std::int32_t));
    return double(avalanche(fnv1a64(bytes)) >> 11) * 0x1.0p-53;
}

// Round-trip precision, so the hash tells any two fractions apart.
std::string exact(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

} // namespace

namespace {
// The tasks this class generates, in Kind order.
const std::vector<std::string>& symbolTaskNames() {
    static const std::vector<std::string> names{"copy", "reverse", "sort", "induction", "modadd", "local"};
    return names;
}
} // namespace

const std::vector<std::string>& taskNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n = symbolTaskNames();
        n.push_back(kBigramBackcopyTask);
        return n;
    }();
    return names;
}

SyntheticTask::SyntheticTask(const DataConfig& config)
    : m_task(config.task), m_alphabet(config.taskAlphabet), m_localK(config.taskLocalK), m_bos(config.bos),
      m_valFraction(config.valFraction) {
    const auto& names = symbolTaskNames();
    const auto it = std::find(names.begin(), names.end(), m_task);
    if (it == names.end()) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw Error("Unknown synthetic task '" + m_task + "'; valid tasks are " + list + ".");
    }
    m_kind = static_cast<Kind>(it - names.begin()); // symbolTaskNames() lists the tasks in Kind order
    if (m_alphabet < 2 || m_alphabet > 64)
        throw Error("A synthetic task needs an alphabet of 2 to 64 symbols (got " +
                    std::to_string(m_alphabet) + ").");
    if (m_kind == Kind::Local && (m_localK < 1 || m_localK > 16))
        throw Error("The local task needs k from 1 to 16 (got " + std::to_string(m_localK) + ").");

    std::vector<std::string> symbols;
    for (int s = 0; s < m_alphabet; ++s) symbols.push_back(symbolName(s, m_alphabet));
    auto separator = [&](const char* name) {
        symbols.push_back(name);
        return symbolId(int(symbols.size()) - 1);
    };
    if (m_kind == Kind::Copy || m_kind == Kind::Reverse || m_kind == Kind::Sort) m_sep = separator("|");
    if (m_kind == Kind::ModAdd) {
        m_plus = separator("+");
        m_equals = separator("=");
    }
    if (m_kind != Kind::Local) m_end = separator(";");
    m_tokenizer = Tokenizer::fromSymbols(symbols);

    std::string params = "attnscope-task-v1;task=" + m_task + ";alphabet=" + std::to_string(m_alphabet) +
                         ";prompt=" + std::to_string(kPromptLength) +
                         ";induction_max=" + std::to_string(kInductionMaxLength) +
                         ";bos=" + std::to_string(int(m_bos)) + ";val_fraction=" + exact(m_valFraction);
    if (m_kind == Kind::Local) params += ";k=" + std::to_string(m_localK);
    m_hash = hex64(fnv1a64(params));

    if (m_kind == Kind::ModAdd) {
        // Exact split of the operand pairs: the val_fraction of pairs with the lowest content hash (at least
        // one, never all) are validation, so validation measures generalisation to unseen sums.
        std::vector<std::pair<double, std::pair<int, int>>> ranked;
        for (int a = 0; a < m_alphabet; ++a)
            for (int b = 0; b < m_alphabet; ++b) ranked.push_back({contentPoint({a, b}), {a, b}});
        std::sort(ranked.begin(), ranked.end());
        const long long total = (long long)ranked.size();
        const long long val = std::clamp(std::llround(double(total) * m_valFraction), 1LL, total - 1);
        for (long long i = 0; i < total; ++i)
            (i < val ? m_valPairs : m_trainPairs).push_back(ranked[i].second);
    }
    if (!config.probeText.empty()) m_customProbe = encodeProbeText(m_tokenizer, config.probeText, m_bos);
}

std::vector<std::int32_t> SyntheticTask::ordinarySymbols() const {
    std::vector<std::int32_t> ids;
    for (int s = 0; s < m_alphabet; ++s) ids.push_back(symbolId(s));
    return ids;
}

std::string SyntheticTask::name() const {
    std::string n = "task:" + m_task + " (alphabet " + std::to_string(m_alphabet);
    if (m_kind == Kind::Local) n += ", k " + std::to_string(m_localK);
    return n + ")";
}

bool SyntheticTask::inSplit(Split split, const Symbols& content) const {
    return (contentPoint(content) < m_valFraction) == (split == Split::Validation);
}

template <typename Draw>
SyntheticTask::Symbols SyntheticTask::drawInSplit(Split split, Rng& rng, Draw draw) const {
    Symbols content = draw(rng);
    for (int attempt = 1; attempt < kMaxDraws && !inSplit(split, content); ++attempt) content = draw(rng);
    return content;
}

void SyntheticTask::appendInstance(Split split, Rng& rng, Stream& out) const {
    const int a = m_alphabet;
    auto pushSymbols = [&](const Symbols& symbols, bool scored) {
        for (std::int32_t s : symbols) out.push(symbolId(s), scored);
    };
    switch (m_kind) {
    case Kind::Copy:
    case Kind::Reverse:
    case Kind::Sort: {
        Symbols prompt = drawInSplit(split, rng, [&](Rng& r) {
            Symbols x(kPromptLength);
            for (auto& s : x) s = std::int32_t(r.below(a));
            return x;
        });
        pushSymbols(prompt, false);
        out.push(m_sep, false);
        if (m_kind == Kind::Reverse) std::reverse(prompt.begin(), prompt.end());
        if (m_kind == Kind::Sort) std::sort(prompt.begin(), prompt.end());
        pushSymbols(prompt, true);
        out.push(m_end, false);
        break;
    }
    case Kind::Induction: {
        const int high = std::min(a, kInductionMaxLength);
        const int low = std::max(2, (high + 1) / 2);
        const Symbols seq = drawInSplit(split, rng, [&](Rng& r) {
            const int m = low + int(r.below(std::uint64_t(high - low) + 1));
            Symbols pool(a);
            for (int s = 0; s < a; ++s) pool[s] = s;
            for (int i = 0; i < m; ++i) std::swap(pool[i], pool[i + int(r.below(std::uint64_t(a - i)))]);
            pool.resize(m); // m distinct symbols: each one's successor in the repeat is unambiguous
            return pool;
        });
        pushSymbols(seq, false);
        out.push(symbolId(seq[0]), false);
        pushSymbols(Symbols(seq.begin() + 1, seq.end()), true);
        out.push(m_end, false);
        break;
    }
    case Kind::ModAdd: {
        const auto& pairs = split == Split::Train ? m_trainPairs : m_valPairs;
        const auto [x, y] = pairs[rng.below(pairs.size())];
        out.push(symbolId(x), false);
        out.push(m_plus, false);
        out.push(symbolId(y), false);
        out.push(m_equals, false);
        out.push(symbolId((x + y) % a), true);
        out.push(m_end, false);
        break;
    }
    case Kind::Local:
        break; // a stream, see appendLocal
    }
}

void SyntheticTask::appendLocal(Split split, Rng& rng, Stream& out, std::size_t tokens) const {
    const std::size_t pairs = (tokens + 1) / 2;
    const Symbols x = drawInSplit(split, rng, [&](Rng& r) {
        Symbols v(pairs);
        for (auto& s : v) s = std::int32_t(r.below(m_alphabet));
        return v;
    });
    int window = 0; // running sum of the last k inputs
    for (std::size_t t = 0; t < pairs; ++t) {
        window += x[t];
        if (t >= std::size_t(m_localK)) window -= x[t - m_localK];
        out.push(symbolId(x[t]), false);
        out.push(symbolId(window % m_alphabet), true);
    }
}

void SyntheticTask::generate(Split split, int length, Rng& rng, std::int32_t* inputs,
                             std::int32_t* targets) const {
    // length + 1 stream tokens: the last one is only the final target.
    const std::size_t need = std::size_t(length) + 1;
    Stream s;
    s.tokens.reserve(need + 2 * kInductionMaxLength + 2);
    if (m_bos) s.push(Tokenizer::kBos, false);
    if (m_kind == Kind::Local) appendLocal(split, rng, s, need - s.tokens.size());
    while (s.tokens.size() < need) appendInstance(split, rng, s);
    for (int i = 0; i < length; ++i) {
        inputs[i] = s.tokens[i];
        targets[i] = s.scored[i + 1] ? s.tokens[i + 1] : kIgnoreTarget;
    }
}

void SyntheticTask::sampleBatch(Split split, int batch, int length, Rng& rng, std::int32_t* inputs,
                                std::int32_t* targets) const {
    if (length < 1)
        throw Error("A sequence needs at least one token (got length " + std::to_string(length) + ").");
    for (int b = 0; b < batch; ++b) {
        const std::size_t row = std::size_t(b) * std::size_t(length);
        generate(split, length, rng, inputs + row, targets + row);
    }
}

void SyntheticTask::probe(int length, std::vector<std::int32_t>& inputs,
                          std::vector<std::int32_t>& targets) const {
    if (!m_customProbe.empty()) {
        probeFromTokens(m_customProbe, length, inputs, targets);
        return;
    }
    Rng rng(kProbeSeed);
    inputs.resize(std::size_t(std::max(length, 0)));
    targets.resize(inputs.size());
    sampleBatch(Split::Validation, 1, length, rng, inputs.data(), targets.data());
}

std::int64_t SyntheticTask::maxLength() const {
    return std::numeric_limits<std::int32_t>::max();
}

} // namespace attnscope
