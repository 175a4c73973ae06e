// tokenizer.json BPE (core/hf/bpe_tokenizer.h) on small tokenizers built here: round trips of arbitrary bytes
// and UTF-8, merges in rank order, GPT-2's pre-tokenizer pattern, added tokens, byte fallback, labels.
#include "core/hf/bpe_tokenizer.h"
#include "core/hf/pretokenize.h"
#include "core/util/error.h"

#include <QtTest>

#include <nlohmann/json.hpp>
#include <random>

using namespace attnscope;
using namespace attnscope::hf;
using nlohmann::json;

namespace {

// GPT-2-style byte-level tokenizer: the 256 byte characters, then the merges' products in rank order.
json byteLevelJson(const std::vector<std::pair<std::string, std::string>>& merges) {
    json vocab = json::object();
    int id = 0;
    for (int b = 0; b < 256; ++b) vocab[byteToUnicode()[std::size_t(b)]] = id++;
    json mergeLines = json::array();
    for (const auto& [a, b] : merges) {
        if (!vocab.contains(a + b)) vocab[a + b] = id++;
        mergeLines.push_back(a + " " + b);
    }
    return {{"added_tokens", {{{"id", id}, {"content", "<|endoftext|>"}, {"special", true}}}},
            {"normalizer", nullptr},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
            {"post_processor", {{"type", "ByteLevel"}}},
            {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", mergeLines}}}};
}

// Llama-style: <unk>, <s>, </s>, the 256 <0xNN> byte tokens, a few characters and merges, byte fallback.
json sentencePieceJson() {
    json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
    int id = 3;
    static const char* digits = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) vocab[std::string("<0x") + digits[b >> 4] + digits[b & 15] + ">"] = id++;
    for (const char* piece : {"\xE2\x96\x81", "a", "b", "c",
                              "\xE2\x96\x81"
                              "a",
                              "ab",
                              "\xE2\x96\x81"
                              "ab"})
        vocab[piece] = id++;
    return {{"added_tokens",
             {{{"id", 0}, {"content", "<unk>"}},
              {{"id", 1}, {"content", "<s>"}},
              {{"id", 2}, {"content", "</s>"}}}},
            {"normalizer",
             {{"type", "Sequence"},
              {"normalizers",
               {{{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}},
                {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}}}}}},
            {"pre_tokenizer", nullptr},
            {"post_processor",
             {{"type", "TemplateProcessing"},
              {"single",
               {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
              {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
            {"model",
             {{"type", "BPE"},
              {"byte_fallback", true},
              {"unk_token", "<unk>"},
              {"vocab", vocab},
              {"merges",
               {"\xE2\x96\x81 a", "a b",
                "\xE2\x96\x81"
                "a b"}}}}};
}

std::string randomBytes(std::mt19937& rng, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += char(rng() & 0xFF);
    return s;
}

std::string randomUtf8(std::mt19937& rng, int n) {
    static const std::uint32_t ranges[][2] = {{0x20, 0x7E},     {0xA0, 0x24F},      {0x370, 0x3FF},
                                              {0x4E00, 0x4FFF}, {0x1F600, 0x1F64F}, {0x9, 0xD}};
    std::string s;
    for (int i = 0; i < n; ++i) {
        const auto& r = ranges[rng() % 6];
        s += encodeUtf8(r[0] + rng() % (r[1] - r[0] + 1));
    }
    return s;
}

std::vector<std::string> pieces(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& [b, e] : splitGpt2(text)) out.push_back(text.substr(b, e - b));
    return out;
}

} // namespace

class TstHfTokenizer : public QObject {
    Q_OBJECT
private slots:
    void gpt2PatternCutsAsTheRegexDoes() {
        using V = std::vector<std::string>;
        QCOMPARE(pieces("Hello world's  end\n"), (V{"Hello", " world", "'s", " ", " end", "\n"}));
        QCOMPARE(pieces("abc123 x?!  "), (V{"abc", "123", " x", "?!", "  "}));
        QCOMPARE(pieces("I'll go\n\nnow"), (V{"I", "'ll", " go", "\n", "\n", "now"})); // as Python's re
        QCOMPARE(pieces("caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87"),
                 (V{"caf\xC3\xA9", " \xE4\xB8\xAD\xE6\x96\x87"}));
    }

    void mergesApplyInRankOrder() {
        // "a b" ranks before "b c": "abc" → ab | c; with the ranks swapped → a | bc.
        const auto first = BpeTokenizer::fromJson(byteLevelJson({{"a", "b"}, {"b", "c"}}));
        const auto second = BpeTokenizer::fromJson(byteLevelJson({{"b", "c"}, {"a", "b"}}));
        QCOMPARE(first.encode("abc"), (std::vector<std::int32_t>{first.tokenId("ab"), first.tokenId("c")}));
        QCOMPARE(second.encode("abc"),
                 (std::vector<std::int32_t>{second.tokenId("a"), second.tokenId("bc")}));
        // Merges build on merges, and never cross a pre-tokenizer boundary.
        const std::string G = byteToUnicode()[' '];
        const auto t = BpeTokenizer::fromJson(byteLevelJson({{G, "t"}, {"h", "e"}, {G + "t", "he"}}));
        QCOMPARE(t.encode(" the the"),
                 (std::vector<std::int32_t>{t.tokenId(G + "the"), t.tokenId(G + "the")}));
        QCOMPARE(t.encode("th e").size(), std::size_t(4)); // t h | Ġ e: "h e" is split by the pattern
    }

    void byteLevelRoundTripsArbitraryBytesAndUtf8() {
        const std::string G = byteToUnicode()[' '];
        const auto t =
            BpeTokenizer::fromJson(byteLevelJson({{G, "t"}, {"h", "e"}, {G + "t", "he"}, {"e", "r"}}));
        std::mt19937 rng(7);
        for (int trial = 0; trial < 300; ++trial) {
            const std::string bytes = randomBytes(rng, int(rng() % 40));
            QCOMPARE(t.decode(t.encode(bytes)), bytes);
            const std::string text = randomUtf8(rng, int(rng() % 30));
            QCOMPARE(t.decode(t.encode(text)), text);
        }
    }

    void addedTokensAreMatchedFirst() {
        const auto t = BpeTokenizer::fromJson(byteLevelJson({{"a", "b"}}));
        const std::int32_t eot = t.tokenId("<|endoftext|>");
        QVERIFY(eot > 0);
        const auto ids = t.encode("ab<|endoftext|>ab");
        QCOMPARE(ids, (std::vector<std::int32_t>{t.tokenId("ab"), eot, t.tokenId("ab")}));
        QCOMPARE(t.decode(ids), std::string("ab<|endoftext|>ab"));
        QCOMPARE(t.label(eot), std::string("<|endoftext|>"));
    }

    void byteLevelLabelsAreText() {
        const std::string G = byteToUnicode()[' '];
        const auto t = BpeTokenizer::fromJson(byteLevelJson({{G, "t"}}));
        QCOMPARE(t.label(t.tokenId(G + "t")), std::string(" t"));
        QCOMPARE(t.label(t.tokenId(byteToUnicode()[0xE2])), std::string("\\xe2")); // a third of "▁"
        QCOMPARE(t.label(t.tokenId(byteToUnicode()['\n'])), std::string("\n"));
        QCOMPARE(int(t.labels().size()), t.vocabSize());
    }

    void sentencePieceWithByteFallback() {
        const auto t = BpeTokenizer::fromJson(sentencePieceJson());
        const std::int32_t bos = 1;
        // "ab ab": ▁ab ▁ab (Prepend + Replace, then ▁a, ab, ▁ab merges), <s> first from the template.
        const auto ids = t.encode("ab ab");
        QCOMPARE(ids, (std::vector<std::int32_t>{bos,
                                                 t.tokenId("\xE2\x96\x81"
                                                           "ab"),
                                                 t.tokenId("\xE2\x96\x81"
                                                           "ab")}));
        // é is not in the vocabulary: its two UTF-8 bytes as <0xC3> <0xA9>.
        const auto e = t.encode("\xC3\xA9", false);
        QCOMPARE(e, (std::vector<std::int32_t>{t.tokenId("\xE2\x96\x81"), t.tokenId("<0xC3>"),
                                               t.tokenId("<0xA9>")}));
        QCOMPARE(t.decode(e), std::string("\xC3\xA9"));
        QCOMPARE(t.label(t.tokenId("\xE2\x96\x81"
                                   "ab")),
                 std::string(" ab"));
        QCOMPARE(t.label(t.tokenId("<0xC3>")), std::string("\\xc3"));
        std::mt19937 rng(11);
        for (int trial = 0; trial < 300; ++trial) {
            const std::string text = randomUtf8(rng, 1 + int(rng() % 30));
            QCOMPARE(t.decode(t.encode(text, false)), text);
            const std::string bytes = randomBytes(rng, 1 + int(rng() % 30));
            if (bytes.find("<s>") == std::string::npos && bytes.find("</s>") == std::string::npos &&
                bytes.find("<unk>") == std::string::npos)
                QCOMPARE(t.decode(t.encode(bytes, false)), bytes);
        }
    }

    void unsupportedFormsAreRefused() {
        json j = byteLevelJson({});
        j["model"]["type"] = "WordPiece";
        QVERIFY_THROWS_EXCEPTION(Error, BpeTokenizer::fromJson(j));
        j = byteLevelJson({});
        j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "\\d"}}}};
        QVERIFY_THROWS_EXCEPTION(Error, BpeTokenizer::fromJson(j));
        j = byteLevelJson({});
        j["model"]["merges"] = {"x y"}; // names tokens that are not in the vocabulary
        QVERIFY_THROWS_EXCEPTION(Error, BpeTokenizer::fromJson(j));
    }
};

QTEST_GUILESS_MAIN(TstHfTokenizer)
#include "tst_hf_tokenizer.moc"
