#include "gui/probe/probe_presets.h"

#include "core/hf/hf_import.h"
#include "core/util/rng.h"

#include <QStringList>
#include <algorithm>
#include <cctype>

namespace attnscope::gui {

namespace {

// Tokens a preset may use: letters and digits (task alphabets, not their separators such as "|" or ";";
// no whitespace or punctuation that would hide the pattern); only the lowercase letters when there are
// eight or more (the most frequent tokens of a text corpus, so the preset stays close to the training data).
std::vector<std::int32_t> letterTokens(const Tokenizer& tok) {
    std::vector<std::int32_t> lower, alnum;
    for (std::int32_t id = 2; id < tok.vocabSize(); ++id) {
        const unsigned char c = static_cast<unsigned char>(tok.decode({id})[0]);
        if (std::isalnum(c)) alnum.push_back(id);
        if (std::islower(c)) lower.push_back(id);
    }
    return lower.size() >= 8 ? lower : alnum;
}

// The text that encodes back to `ids`: bytes as they are, symbols separated by spaces. Specials are left
// out (<bos> is put back first by the encoder when the run trained with it), and so are ids the vocabulary
// does not have (a damaged or inconsistent file must not stop the panel).
QString textOf(const Tokenizer& tok, const std::vector<std::int32_t>& ids) {
    std::vector<std::int32_t> plain;
    for (const std::int32_t id : ids)
        if (id > Tokenizer::kBos && id < tok.vocabSize()) plain.push_back(id);
    if (tok.isByteLevel()) return QString::fromStdString(tok.decode(plain));
    QStringList symbols;
    for (const std::int32_t id : plain) symbols << QString::fromStdString(tok.decode({id}));
    return symbols.join(QLatin1Char(' '));
}

} // namespace

std::vector<ProbePreset> probePresets(const Tokenizer& tokenizer, const std::vector<std::int32_t>& recorded,
                                      int limit, bool bos) {
    std::vector<ProbePreset> presets;
    const int room = limit - (bos ? 1 : 0);
    if (const QString text = textOf(tokenizer, recorded); !text.isEmpty())
        presets.push_back({QStringLiteral("Recorded probe text"), text,
                           QStringLiteral("The text the run's own snapshots were taken on: edit a few "
                                          "tokens and see which heads react.")});
    const std::vector<std::int32_t> letters = letterTokens(tokenizer);
    if (letters.size() >= 2 && room >= 4) {
        // A fixed pseudo-random order: the same preset every time, no accidental n-grams of the corpus.
        std::vector<std::int32_t> pool = letters;
        Rng rng(0x1d0c710);
        const std::size_t n = std::min<std::size_t>({pool.size(), 16, std::size_t(room / 2)});
        for (std::size_t i = 0; i < n; ++i) std::swap(pool[i], pool[i + rng.below(pool.size() - i)]);
        std::vector<std::int32_t> ids(pool.begin(), pool.begin() + std::ptrdiff_t(n));
        ids.insert(ids.end(), pool.begin(), pool.begin() + std::ptrdiff_t(n));
        presets.push_back({QStringLiteral("Repeated random sequence (induction)"), textOf(tokenizer, ids),
                           QStringLiteral("The second copy can be predicted only by looking back: induction "
                                          "heads show a stripe one token right of the diagonal offset by the "
                                          "period, and the next-token loss drops on the second copy.")});
    }
    if (!letters.empty() && room >= 2) {
        const std::vector<std::int32_t> ids(std::size_t(std::min(room, 32)), letters.front());
        presets.push_back(
            {QStringLiteral("One token repeated (sinks)"), textOf(tokenizer, ids),
             QStringLiteral("Identical tokens: only position tells them apart. Heads that still "
                            "attend sharply use position or a sink (key 0).")});
    }
    const std::string sentence = "The quick brown fox jumps over the lazy dog.";
    std::size_t unknown = 0;
    if (tokenizer.isByteLevel() && (tokenizer.encode(sentence, &unknown), unknown == 0) &&
        int(sentence.size()) <= room)
        presets.push_back({QStringLiteral("Sentence"), QString::fromStdString(sentence),
                           QStringLiteral("Plain text with every letter: which heads attend to the previous "
                                          "token, to word starts, to the first token?")});
    return presets;
}

std::vector<ProbePreset> importedProbePresets(const hf::BpeTokenizer& tokenizer,
                                              const std::vector<std::int32_t>& recorded, int limit) {
    // The text of `ids` without the tokenizer's prefix, which the encoder puts back.
    const auto textOf = [&](std::vector<std::int32_t> ids) {
        const auto& prefix = tokenizer.prefixIds();
        if (ids.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), ids.begin()))
            ids.erase(ids.begin(), ids.begin() + std::ptrdiff_t(prefix.size()));
        return QString::fromStdString(tokenizer.decode(ids));
    };
    std::vector<ProbePreset> presets;
    if (const QString text = textOf(recorded); !text.isEmpty())
        presets.push_back({QStringLiteral("Recorded probe text"), text,
                           QStringLiteral("The text the import probed: edit a few words and see which heads "
                                          "react.")});
    std::vector<std::int32_t> paragraph = tokenizer.encode(hf::kDefaultProbeText);
    if (limit > 0 && int(paragraph.size()) > limit) paragraph.resize(std::size_t(limit));
    presets.push_back({QStringLiteral("Repeated sentence (induction)"), textOf(paragraph),
                       QStringLiteral("Its first sentence comes back: previous-token heads show the "
                                      "sub-diagonal, induction heads a stripe from the repeat back to the "
                                      "token after each word's first occurrence.")});
    return presets;
}

} // namespace attnscope::gui
