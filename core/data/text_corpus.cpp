#include "core/data/text_corpus.h"

#include "core/data/source_common.h"
#include "core/util/error.h"
#include "core/util/input_file.h"
#include "core/util/utf8.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace attnscope {

namespace {

// A corpus is read whole and tokenised in memory; a bigger file is almost surely not the intended one.
constexpr std::size_t kMaxCorpusBytes = std::size_t(1) << 30;

// Control bytes that do not occur in ordinary text. Tab, newline, CR, form feed, vertical tab, backspace
// (fortune files underline by overstriking) and ESC (ANSI colour) are tolerated.
bool isOddControl(unsigned char c) {
    if (c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\b' || c == 0x1B) return false;
    return c < 0x20 || c == 0x7F;
}

std::string percent(double fraction) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g%%", std::round(fraction * 1000.0) / 10.0);
    return buf;
}

} // namespace

void checkText(std::string_view bytes, const std::string& label) {
    if (bytes.empty()) throw Error(label + " is empty; a corpus needs some text.");
    std::size_t nul = 0, control = 0;
    for (unsigned char c : bytes) {
        nul += c == 0;
        control += isOddControl(c);
    }
    if (nul > 0)
        throw Error(label + " looks like a binary file (it contains " + std::to_string(nul) +
                    " NUL bytes), not text; choose a UTF-8 text file.");
    if (control * 100 > bytes.size())
        throw Error(label + " looks like a binary file (" + percent(double(control) / double(bytes.size())) +
                    " of its bytes are control characters), not text; choose a UTF-8 text file.");
    const std::size_t bad = firstInvalidUtf8(bytes);
    if (bad != std::string_view::npos) {
        const std::size_t line = 1 + std::count(bytes.begin(), bytes.begin() + std::ptrdiff_t(bad), '\n');
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(bytes[bad]));
        throw Error(label + " is not valid UTF-8: byte " + byte + " at byte offset " + std::to_string(bad) +
                    " (line " + std::to_string(line) +
                    ") does not start a valid character; convert the file to UTF-8 (e.g. iconv -f latin1 -t "
                    "utf-8).");
    }
}

std::string readTextFile(const std::string& path) {
    if (path.empty()) throw Error("No corpus file was given; set data.path to a UTF-8 text file.");
    const std::string label = "The corpus file '" + path + "'";
    std::string bytes = readInputFile(path, kMaxCorpusBytes, label);
    checkText(bytes, label);
    return bytes;
}

TextCorpus::TextCorpus(std::string name, std::string label, std::string_view text, const DataConfig& config,
                       int context)
    : m_name(std::move(name)), m_label(std::move(label)), m_hash(hex64(fnv1a64(text))),
      m_tokenizer(Tokenizer::fromText(text)), m_bos(config.bos || config.bosAligned),
      m_aligned(config.bosAligned) {
    const std::vector<std::int32_t> tokens = m_tokenizer.encode(text);
    const std::size_t total = tokens.size();
    const std::size_t valCount = std::size_t(std::llround(double(total) * config.valFraction));
    const std::size_t need = tokensPerSequence(context);
    const std::string ctx = "context " + std::to_string(context);
    if (total < need)
        throw Error(m_label + " has only " + std::to_string(total) +
                    " tokens (one per byte), fewer than the " + std::to_string(need) + " one sequence of " +
                    ctx + " needs.");
    auto tooShort = [&](const char* part, const std::string& where, std::size_t have) {
        throw Error(m_label + " is too short for " + ctx + ": its " + part + " part (" + where + " of " +
                    std::to_string(total) + " tokens) has " + std::to_string(have) +
                    " tokens but needs at least " + std::to_string(need) +
                    "; use a longer text, a shorter context or another val_fraction.");
    };
    const std::string valWhere = "the last " + percent(config.valFraction);
    if (valCount < need) tooShort("validation", valWhere, valCount);
    if (total - valCount < need)
        tooShort("training", "the first " + percent(1.0 - config.valFraction), total - valCount);
    m_train.assign(tokens.begin(), tokens.end() - std::ptrdiff_t(valCount));
    m_val.assign(tokens.end() - std::ptrdiff_t(valCount), tokens.end());
    if (!config.probeText.empty()) m_customProbe = encodeProbeText(m_tokenizer, config.probeText, m_bos);
    if (m_aligned) {
        // A document starts at a split's first token and after every blank line (fortunes are separated
        // by one; most text files separate paragraphs so).
        const std::vector<std::int32_t> newline = m_tokenizer.encode("\n");
        const std::int32_t nl = newline.size() == 1 ? newline[0] : -2;
        auto starts = [&](const std::vector<std::int32_t>& s, std::vector<std::size_t>& out) {
            for (std::size_t o = 0; o < s.size(); ++o)
                if (s[o] != nl && (o == 0 || (o >= 2 && s[o - 1] == nl && s[o - 2] == nl))) out.push_back(o);
        };
        starts(m_train, m_trainStarts);
        starts(m_val, m_valStarts);
    }
}

std::size_t TextCorpus::alignedStarts(Split split, int length) const {
    const auto& starts = split == Split::Train ? m_trainStarts : m_valStarts;
    const std::size_t last = stream(split).size() - tokensPerSequence(length); // requireLength checked it
    const std::size_t n = std::size_t(std::upper_bound(starts.begin(), starts.end(), last) - starts.begin());
    if (n == 0)
        throw Error(m_label + " has no document start in its " +
                    (split == Split::Train ? "training" : "validation") + " part that leaves room for " +
                    std::to_string(length) + " tokens; turn bos_aligned off or use a shorter context.");
    return n;
}

void TextCorpus::crop(const std::vector<std::int32_t>& s, std::size_t offset, int length,
                      std::int32_t* inputs, std::int32_t* targets) const {
    const std::int32_t* src = s.data() + offset;
    if (m_bos) {
        inputs[0] = Tokenizer::kBos;
        std::copy(src, src + length - 1, inputs + 1);
        std::copy(src, src + length, targets);
    } else {
        std::copy(src, src + length, inputs);
        std::copy(src + 1, src + length + 1, targets);
    }
}

void TextCorpus::requireLength(Split split, int length) const {
    if (length < 1)
        throw Error("A sequence needs at least one token (got length " + std::to_string(length) + ").");
    const auto& s = stream(split);
    if (tokensPerSequence(length) > s.size())
        throw Error(m_label + " has " + std::to_string(s.size()) + " " +
                    (split == Split::Train ? "training" : "validation") +
                    " tokens, too few for sequences of " + std::to_string(length) + " tokens (they need " +
                    std::to_string(tokensPerSequence(length)) + ").");
}

void TextCorpus::sampleBatch(Split split, int batch, int length, Rng& rng, std::int32_t* inputs,
                             std::int32_t* targets) const {
    requireLength(split, length);
    const auto& s = stream(split);
    const std::size_t offsets =
        m_aligned ? alignedStarts(split, length) : s.size() - tokensPerSequence(length) + 1;
    const auto& starts = split == Split::Train ? m_trainStarts : m_valStarts;
    for (int b = 0; b < batch; ++b) {
        const std::size_t row = std::size_t(b) * std::size_t(length);
        const std::size_t pick = std::size_t(rng.below(offsets));
        crop(s, m_aligned ? starts[pick] : pick, length, inputs + row, targets + row);
    }
}

void TextCorpus::probe(int length, std::vector<std::int32_t>& inputs,
                       std::vector<std::int32_t>& targets) const {
    if (!m_customProbe.empty()) {
        probeFromTokens(m_customProbe, length, inputs, targets);
        return;
    }
    requireLength(Split::Validation, length);
    inputs.resize(std::size_t(length));
    targets.resize(std::size_t(length));
    if (m_aligned) alignedStarts(Split::Validation, length); // throws when no document start fits
    crop(m_val, m_aligned ? m_valStarts.front() : 0, length, inputs.data(), targets.data());
}

std::int64_t TextCorpus::maxLength() const {
    const std::size_t shorter = std::min(m_train.size(), m_val.size());
    return std::int64_t(shorter) - (m_bos ? 0 : 1);
}

} // namespace attnscope
