#include "core/hf/bpe_tokenizer.h"

#include "core/hf/pretokenize.h"
#include "core/util/error.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

namespace attnscope::hf {

namespace {

using nlohmann::json;
const std::string kMeta = "\xE2\x96\x81"; // ▁ U+2581, SentencePiece's space

[[noreturn]] void refuse(const std::string& why) {
    throw Error("tokenizer.json: " + why);
}

std::uint64_t pairKey(std::int32_t a, std::int32_t b) {
    return (std::uint64_t(std::uint32_t(a)) << 32) | std::uint32_t(b);
}

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

std::string hexByte(unsigned b) {
    static const char* digits = "0123456789ABCDEF";
    return std::string("<0x") + digits[b >> 4] + digits[b & 15] + ">";
}

} // namespace

// Merges by id: (left, right) → (rank, merged id).
struct MergeTable {
    std::unordered_map<std::uint64_t, std::pair<int, std::int32_t>> byPair;
};

BpeTokenizer BpeTokenizer::fromFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("Cannot open " + path + ".");
    const json j = json::parse(in, nullptr, false);
    if (j.is_discarded()) throw Error(path + " is not valid JSON.");
    try {
        return fromJson(j);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

BpeTokenizer BpeTokenizer::fromJson(const json& j) {
    if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) refuse("no \"model\" object.");
    const json& m = j["model"];
    if (m.value("type", std::string("BPE")) != "BPE")
        refuse("the model type \"" + m.value("type", std::string()) + "\" is not supported (BPE only).");
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
        if (m.contains(key) && !m[key].is_null() &&
            !(m[key].is_string() && m[key].get<std::string>().empty()))
            refuse(std::string("BPE with a ") + key + " is not supported.");
    if (!m.contains("vocab") || !m["vocab"].is_object()) refuse("the BPE model has no \"vocab\" object.");
    BpeTokenizer t;
    std::int32_t maxId = -1;
    for (const auto& [piece, id] : m["vocab"].items()) {
        if (!id.is_number_integer() || id.get<std::int64_t>() < 0 || id.get<std::int64_t>() > (1 << 24))
            refuse("the id of \"" + piece + "\" is not a small non-negative integer.");
        t.m_vocab[piece] = id.get<std::int32_t>();
        maxId = std::max(maxId, id.get<std::int32_t>());
    }
    std::vector<std::pair<std::string, std::int32_t>> added;
    if (j.contains("added_tokens") && j["added_tokens"].is_array())
        for (const json& a : j["added_tokens"]) {
            if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() ||
                !a.contains("content") || !a["content"].is_string())
                refuse("an added token needs an integer \"id\" and a string \"content\".");
            added.push_back({a["content"].get<std::string>(), a["id"].get<std::int32_t>()});
            maxId = std::max(maxId, added.back().second);
        }
    t.m_pieces.assign(std::size_t(maxId) + 1, std::string());
    t.m_added.assign(t.m_pieces.size(), false);
    for (const auto& [piece, id] : t.m_vocab) t.m_pieces[std::size_t(id)] = piece;
    for (const auto& [content, id] : added) {
        t.m_pieces[std::size_t(id)] = content, t.m_added[std::size_t(id)] = true;
        t.m_vocab[content] = id;
        t.m_addedContents.push_back(content);
    }
    std::sort(t.m_addedContents.begin(), t.m_addedContents.end(),
              [](const std::string& a, const std::string& b) {
                  return a.size() > b.size() || (a.size() == b.size() && a < b);
              });

    auto merges = std::make_shared<MergeTable>();
    if (m.contains("merges") && m["merges"].is_array()) {
        int rank = 0;
        for (const json& line : m["merges"]) {
            std::string a, b;
            if (line.is_string()) {
                const std::string s = line.get<std::string>();
                const std::size_t space = s.find(' ');
                if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
                    refuse("the merge \"" + s + "\" is not two tokens separated by one space.");
                a = s.substr(0, space), b = s.substr(space + 1);
            } else if (line.is_array() && line.size() == 2 && line[0].is_string() && line[1].is_string()) {
                a = line[0].get<std::string>(), b = line[1].get<std::string>();
            } else {
                refuse("a merge is neither \"a b\" nor [\"a\", \"b\"].");
            }
            const std::int32_t ia = t.tokenId(a), ib = t.tokenId(b), iab = t.tokenId(a + b);
            if (ia < 0 || ib < 0 || iab < 0)
                refuse("the merge \"" + a + " " + b + "\" names a token that is not in the vocabulary.");
            merges->byPair.emplace(pairKey(ia, ib), std::make_pair(rank++, iab));
        }
    }
    t.m_merges = std::move(merges);
    t.m_byteFallback = m.value("byte_fallback", false);
    t.m_ignoreMerges = m.value("ignore_merges", false);
    if (m.contains("unk_token") && m["unk_token"].is_string())
        t.m_unk = t.tokenId(m["unk_token"].get<std::string>());

    // Normalizer: none, or SentencePiece's Prepend("▁") + Replace(" " → "▁") (Llama 2, Mistral).
    const json normalizer = j.value("normalizer", json());
    std::vector<json> normalizers;
    if (normalizer.is_object() && normalizer.value("type", "") == "Sequence")
        normalizers = normalizer.value("normalizers", std::vector<json>());
    else if (normalizer.is_object())
        normalizers.push_back(normalizer);
    for (const json& n : normalizers) {
        const std::string type = n.value("type", "");
        if (type == "Prepend" && n.value("prepend", "") == kMeta) {
            t.m_prependSpace = t.m_prependAlways = true;
        } else if (type == "Replace" && n.contains("pattern") && n["pattern"].is_object() &&
                   n["pattern"].value("String", "") == " " && n.value("content", "") == kMeta) {
            t.m_spaceToMeta = true;
        } else {
            refuse("the normalizer \"" + type + "\" (" + n.dump() + ") is not supported.");
        }
    }
    // Pre-tokenizer: ByteLevel (GPT-2 pattern), Metaspace, or none.
    const json pre = j.value("pre_tokenizer", json());
    std::vector<json> pres;
    if (pre.is_object() && pre.value("type", "") == "Sequence")
        pres = pre.value("pretokenizers", std::vector<json>());
    else if (pre.is_object())
        pres.push_back(pre);
    for (const json& p : pres) {
        const std::string type = p.value("type", "");
        if (type == "ByteLevel") {
            if (!p.value("use_regex", true))
                refuse(
                    "a ByteLevel pre-tokenizer without GPT-2's pattern (use_regex false) is not supported.");
            t.m_byteLevel = true;
            t.m_byteLevelPrefixSpace = p.value("add_prefix_space", false);
        } else if (type == "Metaspace") {
            if (p.value("replacement", kMeta) != kMeta)
                refuse("a Metaspace replacement other than ▁ is not supported.");
            t.m_spaceToMeta = true;
            t.m_metaspaceSplit = p.value("split", true);
            const std::string scheme = p.contains("prepend_scheme")
                                           ? p.value("prepend_scheme", "always")
                                           : (p.value("add_prefix_space", true) ? "always" : "never");
            t.m_prependSpace = scheme != "never";
            t.m_prependFirstOnly = scheme == "first";
        } else {
            refuse("the pre-tokenizer \"" + type + "\" is not supported (ByteLevel or Metaspace).");
        }
    }
    // Post-processor: the special tokens a TemplateProcessing puts before the text ($A).
    const json post = j.value("post_processor", json());
    std::vector<json> posts;
    if (post.is_object() && post.value("type", "") == "Sequence")
        posts = post.value("processors", std::vector<json>());
    else if (post.is_object())
        posts.push_back(post);
    for (const json& p : posts) {
        if (p.value("type", "") != "TemplateProcessing" || !p.contains("single") || !p["single"].is_array())
            continue;
        for (const json& item : p["single"]) {
            if (item.contains("Sequence")) break;
            if (!item.contains("SpecialToken")) continue;
            const std::string name = item["SpecialToken"].value("id", "");
            const json specials = p.value("special_tokens", json::object());
            if (specials.contains(name) && specials[name].contains("ids"))
                for (const json& id : specials[name]["ids"]) t.m_prefixIds.push_back(id.get<std::int32_t>());
            else if (t.tokenId(name) >= 0)
                t.m_prefixIds.push_back(t.tokenId(name));
        }
    }
    if (t.m_byteLevel && t.m_spaceToMeta)
        refuse("byte-level and SentencePiece spaces together are not supported.");
    return t;
}

std::int32_t BpeTokenizer::tokenId(const std::string& piece) const {
    const auto it = m_vocab.find(piece);
    return it == m_vocab.end() ? -1 : it->second;
}

void BpeTokenizer::encodePiece(std::string_view piece, std::vector<std::int32_t>& out) const {
    if (piece.empty()) return;
    if (m_ignoreMerges)
        if (const std::int32_t whole = tokenId(std::string(piece));
            whole >= 0 && !m_added[std::size_t(whole)]) {
            out.push_back(whole);
            return;
        }
    // Initial symbols: one per character (byte-level: per byte, written as its printable character).
    std::vector<std::int32_t> symbols;
    auto unknown = [&](std::string_view what) {
        if (m_byteFallback) {
            for (unsigned char b : what) {
                const std::int32_t id = tokenId(hexByte(b));
                if (id < 0) refuse("byte_fallback is on but the vocabulary has no token " + hexByte(b) + ".");
                symbols.push_back(id);
            }
        } else if (m_unk >= 0) {
            symbols.push_back(m_unk);
        } else {
            throw Error("The text holds a character the tokenizer cannot encode (no unknown token, no byte "
                        "fallback).");
        }
    };
    if (m_byteLevel) {
        for (unsigned char b : piece) {
            const std::string& ch = byteToUnicode()[b];
            const std::int32_t id = tokenId(ch);
            id >= 0 ? symbols.push_back(id) : unknown(ch);
        }
    } else {
        for (const TextUnit& u : decodeUtf8(piece)) {
            const std::string_view ch = piece.substr(u.begin, u.end - u.begin);
            const std::int32_t id = u.codePoint < 0 ? -1 : tokenId(std::string(ch));
            id >= 0 ? symbols.push_back(id) : unknown(ch);
        }
    }
    // Merge the lowest-ranked adjacent pair (leftmost on a tie) until none has a merge.
    constexpr int kNone = std::numeric_limits<int>::max();
    auto rankAt = [&](std::size_t k) {
        const auto it = m_merges->byPair.find(pairKey(symbols[k], symbols[k + 1]));
        return it == m_merges->byPair.end() ? kNone : it->second.first;
    };
    std::vector<int> ranks(symbols.size() > 1 ? symbols.size() - 1 : 0);
    for (std::size_t k = 0; k < ranks.size(); ++k) ranks[k] = rankAt(k);
    while (!ranks.empty()) {
        const auto best = std::min_element(ranks.begin(), ranks.end());
        if (*best == kNone) break;
        const std::size_t k = std::size_t(best - ranks.begin());
        symbols[k] = m_merges->byPair.at(pairKey(symbols[k], symbols[k + 1])).second;
        symbols.erase(symbols.begin() + std::ptrdiff_t(k) + 1);
        ranks.erase(ranks.begin() + std::ptrdiff_t(k));
        if (k < ranks.size()) ranks[k] = rankAt(k);
        if (k > 0) ranks[k - 1] = rankAt(k - 1);
    }
    out.insert(out.end(), symbols.begin(), symbols.end());
}

std::vector<std::int32_t> BpeTokenizer::encode(std::string_view text, bool addSpecialTokens) const {
    std::vector<std::int32_t> ids;
    if (addSpecialTokens) ids = m_prefixIds;
    // Added tokens are cut out of the raw text first; the segments between them are normalised and encoded.
    std::vector<std::pair<std::string_view, std::int32_t>> segments; // (text, -1) or ("", added id)
    std::size_t start = 0, at = 0;
    while (at < text.size()) {
        std::int32_t found = -1;
        std::size_t length = 0;
        for (const std::string& a : m_addedContents)
            if (!a.empty() && text.substr(at, a.size()) == a) {
                found = tokenId(a), length = a.size();
                break;
            }
        if (found < 0) {
            ++at;
            continue;
        }
        if (at > start) segments.push_back({text.substr(start, at - start), -1});
        segments.push_back({{}, found});
        at += length, start = at;
    }
    if (start < text.size()) segments.push_back({text.substr(start), -1});
    bool first = true;
    for (const auto& [segment, addedId] : segments) {
        if (addedId >= 0) {
            ids.push_back(addedId);
            first = false;
            continue;
        }
        if (m_byteLevel) {
            // Built by appending: GCC 12 misreads s.insert(0, " ") as an overlapping copy (-Wrestrict).
            std::string s;
            if (m_byteLevelPrefixSpace && segment[0] != ' ') s.push_back(' ');
            s.append(segment);
            for (const auto& [b, e] : splitGpt2(s)) encodePiece(std::string_view(s).substr(b, e - b), ids);
        } else {
            std::string s(segment);
            if (m_spaceToMeta) replaceAll(s, " ", kMeta);
            if (m_prependSpace && (!m_prependFirstOnly || first) &&
                (m_prependAlways || s.compare(0, kMeta.size(), kMeta) != 0))
                s = kMeta + s;
            if (!m_metaspaceSplit) {
                encodePiece(s, ids);
            } else {
                // Metaspace's split: a word starts at every "▁".
                std::size_t b = 0;
                for (std::size_t k = s.find(kMeta, 1); k != std::string::npos; k = s.find(kMeta, k + 1)) {
                    encodePiece(std::string_view(s).substr(b, k - b), ids);
                    b = k;
                }
                encodePiece(std::string_view(s).substr(b), ids);
            }
        }
        first = false;
    }
    return ids;
}

std::string BpeTokenizer::bytesOf(std::int32_t id) const {
    if (id < 0 || std::size_t(id) >= m_pieces.size()) return {};
    const std::string& piece = m_pieces[std::size_t(id)];
    if (m_added[std::size_t(id)]) return piece;
    if (m_byteLevel) {
        std::string bytes;
        for (const TextUnit& u : decodeUtf8(piece)) {
            const int b = unicodeToByte(u.codePoint);
            bytes += b >= 0 ? std::string(1, char(b)) : piece.substr(u.begin, u.end - u.begin);
        }
        return bytes;
    }
    if (m_byteFallback && piece.size() == 6 && piece.compare(0, 3, "<0x") == 0 && piece[5] == '>')
        return std::string(1, char(std::stoi(piece.substr(3, 2), nullptr, 16)));
    std::string s = piece;
    replaceAll(s, kMeta, " ");
    return s;
}

std::string BpeTokenizer::decode(const std::vector<std::int32_t>& ids) const {
    std::string out;
    for (std::int32_t id : ids) out += bytesOf(id);
    // SentencePiece's decoder strips the space the normaliser put before the text.
    if (!m_byteLevel && m_prependSpace && !out.empty() && out[0] == ' ') out.erase(0, 1);
    return out;
}

namespace {
// Bytes as readable text, as the Python package labels them (attnscope/hf_tokenizer.py): UTF-8 characters
// as themselves, a byte that is not part of a complete character and a control character other than newline
// and tab as \xNN.
std::string textOfBytes(const std::string& bytes) {
    std::string out;
    static const char* digits = "0123456789abcdef";
    auto escape = [&](unsigned char b) { out += std::string("\\x") + digits[b >> 4] + digits[b & 15]; };
    for (const TextUnit& u : decodeUtf8(bytes)) {
        const bool control = u.codePoint >= 0 && u.codePoint != '\n' && u.codePoint != '\t' &&
                             (u.codePoint < 0x20 || u.codePoint == 0x7F);
        if (u.codePoint < 0 || control)
            escape(static_cast<unsigned char>(bytes[u.begin]));
        else
            out += bytes.substr(u.begin, u.end - u.begin);
    }
    return out;
}
} // namespace

bool BpeTokenizer::isAdded(std::int32_t id) const {
    return id >= 0 && std::size_t(id) < m_added.size() && m_added[std::size_t(id)];
}

std::string BpeTokenizer::label(std::int32_t id) const {
    if (id < 0 || std::size_t(id) >= m_pieces.size() || m_pieces[std::size_t(id)].empty())
        return std::string("<").append(std::to_string(id)).append(">");
    const std::string& piece = m_pieces[std::size_t(id)];
    if (m_added[std::size_t(id)]) return piece;
    const bool byteToken = m_byteFallback && piece.size() == 6 && piece.compare(0, 3, "<0x") == 0;
    if (m_byteLevel || byteToken) return textOfBytes(bytesOf(id));
    return bytesOf(id); // SentencePiece: "▁" as a space
}

std::vector<std::string> BpeTokenizer::labels() const {
    std::vector<std::string> out(m_pieces.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = label(std::int32_t(i));
    return out;
}

} // namespace attnscope::hf
