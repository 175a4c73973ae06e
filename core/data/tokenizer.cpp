#include "core/data/tokenizer.h"

#include "core/util/error.h"

#include <nlohmann/json.hpp>
#include <set>

namespace attnscope {

namespace {

const char* const kUnkName = "<unk>";
const char* const kBosName = "<bos>";

// JSON identity of the format; bump the version if the layout changes so old files fail clearly.
const char* const kFormat = "attnscope-tokenizer";
constexpr int kVersion = 1;

std::string hexByte(unsigned char b) {
    static const char* digits = "0123456789ABCDEF";
    return std::string("\\x") + digits[b >> 4] + digits[b & 15];
}

[[noreturn]] void malformed(const std::string& why) {
    throw Error("The tokenizer JSON is malformed: " + why + ".");
}

} // namespace

Tokenizer::Tokenizer() : m_tokens{kUnkName, kBosName} {}

Tokenizer Tokenizer::fromText(std::string_view text) {
    bool seen[256] = {};
    for (unsigned char c : text) seen[c] = true;
    Tokenizer t;
    for (int b = 0; b < 256; ++b) {
        if (!seen[b]) continue;
        t.m_byteToId[b] = std::int32_t(t.m_tokens.size());
        t.m_tokens.emplace_back(1, char(b));
    }
    return t;
}

Tokenizer Tokenizer::fromSymbols(const std::vector<std::string>& symbols) {
    Tokenizer t;
    t.m_byteLevel = false;
    std::set<std::string> names{kUnkName, kBosName};
    for (const auto& s : symbols) {
        if (s.empty()) throw Error("A tokenizer symbol cannot be empty.");
        if (!names.insert(s).second) throw Error("The tokenizer symbol '" + s + "' appears twice.");
        t.m_tokens.push_back(s);
    }
    return t;
}

Tokenizer Tokenizer::fromLabels(std::vector<std::string> labels) {
    Tokenizer t;
    t.m_byteLevel = false;
    t.m_labelled = true;
    t.m_tokens = std::move(labels);
    return t;
}

std::vector<std::int32_t> Tokenizer::encode(std::string_view text, std::size_t* unknownCount,
                                            std::vector<std::size_t>* unknownAt) const {
    std::vector<std::int32_t> ids;
    std::size_t unknown = 0;
    if (unknownAt) unknownAt->clear();
    auto markUnknown = [&](std::size_t offset) {
        ++unknown;
        if (unknownAt) unknownAt->push_back(offset);
    };
    if (m_byteLevel) {
        ids.reserve(text.size());
        for (std::size_t i = 0; i < text.size(); ++i) {
            const std::int32_t id = m_byteToId[static_cast<unsigned char>(text[i])];
            if (id == kUnk) markUnknown(i);
            ids.push_back(id);
        }
    } else {
        // Symbol vocabularies: greedy longest match of the symbol names. Whitespace that is not a symbol only
        // separates symbols, so "a b | b a" and "ab|ba" encode alike; any other unmatched byte is one <unk>.
        // Labelled vocabularies match the same way over all their labels; an unmatched byte there is counted
        // but has no id to stand for it.
        std::size_t i = 0;
        while (i < text.size()) {
            std::int32_t best = kUnk;
            std::size_t bestLen = 0;
            for (std::size_t id = m_labelled ? 0 : 2; id < m_tokens.size(); ++id) {
                const std::string& name = m_tokens[id];
                if (name.size() > bestLen && text.compare(i, name.size(), name) == 0) {
                    best = std::int32_t(id);
                    bestLen = name.size();
                }
            }
            if (bestLen == 0) {
                bestLen = 1;
                if (std::string_view(" \t\n\r").find(text[i]) != std::string_view::npos) {
                    ++i;
                    continue;
                }
                markUnknown(i);
                if (m_labelled) {
                    ++i;
                    continue;
                }
            }
            ids.push_back(best);
            i += bestLen;
        }
    }
    if (unknownCount) *unknownCount = unknown;
    return ids;
}

std::string Tokenizer::decode(const std::vector<std::int32_t>& ids) const {
    std::string out;
    for (std::int32_t id : ids) {
        if (id < 0 || id >= vocabSize())
            throw Error("Token id " + std::to_string(id) + " is outside the vocabulary of " +
                        std::to_string(vocabSize()) + " tokens.");
        out += m_tokens[id]; // specials decode to their names so they stay visible in decoded text
    }
    return out;
}

std::string Tokenizer::display(std::int32_t id) const {
    if (id < 0 || id >= vocabSize()) return "<?" + std::to_string(id) + ">";
    const std::string& t = m_tokens[id];
    if (m_labelled) {
        // Leading spaces stay spaces (" the", as TransformerLens shows GPT-2 pieces); line breaks, tabs and
        // an all-space label get the byte tokenizer's symbols so that no label is blank; other control bytes
        // are written \xNN, as the byte tokenizer writes them.
        std::string shown;
        const bool blank = t.find_first_not_of(' ') == std::string::npos;
        for (char c : t) {
            const auto b = static_cast<unsigned char>(c);
            shown += c == '\n'               ? "\u23CE"
                     : c == '\t'             ? "\u21E5"
                     : (c == ' ' && blank)   ? "\u2423"
                     : b < 0x20 || b == 0x7F ? hexByte(b)
                                             : std::string(1, c);
        }
        return shown.empty() ? "\u2205" : shown; // ∅
    }
    if (id < 2 || !m_byteLevel) return t;
    const unsigned char b = static_cast<unsigned char>(t[0]);
    if (b == ' ') return "\u2423";  // ␣
    if (b == '\n') return "\u23CE"; // ⏎
    if (b == '\t') return "\u21E5"; // ⇥
    if (b < 0x20 || b >= 0x7F) return hexByte(b);
    return t;
}

std::string Tokenizer::toJson() const {
    nlohmann::json j{{"format", kFormat}, {"version", kVersion}};
    if (m_byteLevel) {
        // Bytes as integers: a lone byte of a multi-byte UTF-8 character is not a valid JSON string.
        std::vector<int> bytes;
        for (std::size_t id = 2; id < m_tokens.size(); ++id)
            bytes.push_back(static_cast<unsigned char>(m_tokens[id][0]));
        j["kind"] = "bytes";
        j["bytes"] = bytes;
    } else if (m_labelled) {
        j["kind"] = "vocab";
        j["labels"] = m_tokens;
    } else {
        j["kind"] = "symbols";
        j["symbols"] = std::vector<std::string>(m_tokens.begin() + 2, m_tokens.end());
    }
    return j.dump();
}

Tokenizer Tokenizer::fromJson(const std::string& text) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) malformed("it is not valid JSON");
    if (!j.is_object()) malformed("expected an object");
    if (!j.contains("format") || j["format"] != kFormat)
        malformed(std::string("\"format\" must be \"") + kFormat + "\"");
    if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] != kVersion)
        malformed("\"version\" must be " + std::to_string(kVersion));
    if (!j.contains("kind") || !j["kind"].is_string()) malformed("\"kind\" is missing");
    const std::string kind = j["kind"];
    if (kind == "bytes") {
        if (!j.contains("bytes") || !j["bytes"].is_array())
            malformed("\"bytes\" must be an array of byte values");
        Tokenizer t;
        for (const auto& b : j["bytes"]) {
            if (!b.is_number_integer() || b.get<long long>() < 0 || b.get<long long>() > 255)
                malformed("\"bytes\" must hold integers from 0 to 255, found " + b.dump());
            const int v = b.get<int>();
            if (t.m_byteToId[v] != kUnk) malformed("byte " + std::to_string(v) + " appears twice");
            t.m_byteToId[v] = std::int32_t(t.m_tokens.size());
            t.m_tokens.emplace_back(1, char(v));
        }
        return t;
    }
    if (kind == "symbols") {
        if (!j.contains("symbols") || !j["symbols"].is_array())
            malformed("\"symbols\" must be an array of strings");
        std::vector<std::string> symbols;
        for (const auto& s : j["symbols"]) {
            if (!s.is_string()) malformed("\"symbols\" must hold strings, found " + s.dump());
            symbols.push_back(s.get<std::string>());
        }
        try {
            return fromSymbols(symbols);
        } catch (const Error& e) {
            throw Error(std::string("The tokenizer JSON is malformed: ") + e.what());
        }
    }
    if (kind == "vocab") {
        if (!j.contains("labels") || !j["labels"].is_array())
            malformed("\"labels\" must be an array of strings");
        std::vector<std::string> labels;
        for (const auto& s : j["labels"]) {
            if (!s.is_string()) malformed("\"labels\" must hold strings, found " + s.dump());
            labels.push_back(s.get<std::string>());
        }
        return fromLabels(std::move(labels));
    }
    malformed("\"kind\" must be \"bytes\", \"symbols\" or \"vocab\", not \"" + kind + "\"");
}

} // namespace attnscope
