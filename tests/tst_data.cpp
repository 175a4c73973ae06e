// Data layer: tokenizer, text corpora (file, fortunes), synthetic tasks, config validation.
#include "core/data/bigram_backcopy.h"
#include "core/data/fortunes.h"
#include "core/data/source_common.h"
#include "core/data/synthetic_tasks.h"
#include "core/data/text_corpus.h"
#include "core/data/token_source.h"
#include "core/train/train_config.h"
#include "core/util/error.h"
#include "helpers/test_paths.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

using namespace attnscope;

namespace {

std::string writeFile(const QTemporaryDir& dir, const char* name, const std::string& bytes) {
    const std::string path = dir.filePath(name).toStdString();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::string sampleText(int lines) {
    std::string s;
    for (int i = 0; i < lines; ++i)
        s += "Line " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog.\n";
    return s;
}

DataConfig fileConfig(const std::string& path) {
    DataConfig c;
    c.source = "file";
    c.path = path;
    return c;
}

// Runs `f`, which must throw attnscope::Error whose message contains every one of `needles`.
template <typename F> void expectError(F&& f, std::initializer_list<const char*> needles) {
    try {
        f();
    } catch (const Error& e) {
        const std::string message = e.what();
        for (const char* n : needles)
            QVERIFY2(message.find(n) != std::string::npos,
                     ("'" + std::string(n) + "' not in: " + message).c_str());
        return;
    }
    QFAIL("expected attnscope::Error");
}

struct Batch {
    std::vector<std::int32_t> inputs, targets;
};
Batch sample(const TokenSource& src, Split split, int batch, int length, std::uint64_t seed) {
    Batch b{std::vector<std::int32_t>(std::size_t(batch * length)),
            std::vector<std::int32_t>(std::size_t(batch * length))};
    Rng rng(seed);
    src.sampleBatch(split, batch, length, rng, b.inputs.data(), b.targets.data());
    return b;
}

bool isSubsequence(const std::vector<std::int32_t>& hay, const std::int32_t* needle, std::size_t n) {
    return std::search(hay.begin(), hay.end(), needle, needle + n) != hay.end();
}

} // namespace

class TestData : public QObject {
    Q_OBJECT
private slots:
    void tokenizerRoundTrip() {
        const std::string text = "hello world\n\tÄ";
        const Tokenizer t = Tokenizer::fromText(text);
        const std::set<char> distinct(text.begin(), text.end());
        QCOMPARE(t.vocabSize(), int(2 + distinct.size()));
        std::size_t unknown = 99;
        const auto ids = t.encode(text, &unknown);
        QCOMPARE(unknown, std::size_t(0));
        QCOMPARE(ids.size(), text.size());
        QCOMPARE(t.decode(ids), text);
        QCOMPARE(t.encode("\t").front(), 2); // byte order after the specials: tab is the smallest byte
        QVERIFY(std::all_of(ids.begin(), ids.end(), [](std::int32_t id) { return id >= 2; }));
    }
    void tokenizerUnknownBytesAreCounted() {
        const Tokenizer t = Tokenizer::fromText("abc");
        std::size_t unknown = 0;
        const auto ids = t.encode("axbyc", &unknown);
        QCOMPARE(unknown, std::size_t(2));
        QCOMPARE(ids.size(), std::size_t(5)); // never dropped
        QCOMPARE(ids[1], Tokenizer::kUnk);
        QCOMPARE(t.decode(ids), std::string("a<unk>b<unk>c"));
    }
    void tokenizerDisplay() {
        const Tokenizer t = Tokenizer::fromText(std::string("a \n\t\x01\xC3\x7F", 7));
        auto label = [&](const std::string& byte) { return t.display(t.encode(byte).front()); };
        QCOMPARE(label(" "), std::string("␣"));
        QCOMPARE(label("\n"), std::string("⏎"));
        QCOMPARE(label("\t"), std::string("⇥"));
        QCOMPARE(label("a"), std::string("a"));
        QCOMPARE(label("\x01"), std::string("\\x01"));
        QCOMPARE(label("\xC3"), std::string("\\xC3"));
        QCOMPARE(label("\x7F"), std::string("\\x7F"));
        QCOMPARE(t.display(Tokenizer::kUnk), std::string("<unk>"));
        QCOMPARE(t.display(Tokenizer::kBos), std::string("<bos>"));
    }
    void tokenizerSymbols() {
        const Tokenizer t = Tokenizer::fromSymbols({"a", "b", "|", "ab"});
        QCOMPARE(t.vocabSize(), 6);
        QCOMPARE(t.display(4), std::string("|"));
        std::size_t unknown = 0;
        QCOMPARE(t.encode("a b|ab z", &unknown), (std::vector<std::int32_t>{2, 3, 4, 5, Tokenizer::kUnk}));
        QCOMPARE(unknown, std::size_t(1));
        expectError([] { Tokenizer::fromSymbols({"a", "a"}); }, {"twice"});
        expectError([] { Tokenizer::fromSymbols({"<bos>"}); }, {"twice"});
    }
    void tokenizerJsonRoundTrip() {
        for (const Tokenizer& t : {Tokenizer::fromText("xyz \n\xE2\x82\xAC"),
                                   Tokenizer::fromSymbols({"0", "1", "α"}), Tokenizer()}) {
            const Tokenizer back = Tokenizer::fromJson(t.toJson());
            QCOMPARE(back.vocabSize(), t.vocabSize());
            for (int id = 0; id < t.vocabSize(); ++id) QCOMPARE(back.display(id), t.display(id));
            QCOMPARE(back.toJson(), t.toJson());
            QCOMPARE(back.encode("z\xE2 1α"), t.encode("z\xE2 1α"));
        }
    }
    void tokenizerMalformedJson() {
        for (const char* bad :
             {"not json", "[1,2]", "{}", R"({"format":"other","version":1})",
              R"({"format":"attnscope-tokenizer","version":1,"kind":"bytes","bytes":[300]})",
              R"({"format":"attnscope-tokenizer","version":1,"kind":"bytes","bytes":[65,65]})",
              R"({"format":"attnscope-tokenizer","version":1,"kind":"symbols","symbols":[1]})",
              R"({"format":"attnscope-tokenizer","version":2,"kind":"bytes","bytes":[]})",
              R"({"format":"attnscope-tokenizer","version":1,"kind":"words"})"})
            expectError([&] { Tokenizer::fromJson(bad); }, {"tokenizer JSON is malformed"});
    }

    void corpusFileErrors() {
        QTemporaryDir dir;
        const std::string empty = writeFile(dir, "empty.txt", "");
        expectError([&] { makeTokenSource(fileConfig(empty), 8); }, {"empty.txt", "is empty"});
        const std::string nul = writeFile(dir, "nul.bin", std::string("text\0more text", 14));
        expectError([&] { makeTokenSource(fileConfig(nul), 8); }, {"nul.bin", "binary", "NUL"});
        const std::string control = writeFile(dir, "ctl.bin", std::string(50, 'a') + std::string(10, '\x02'));
        expectError([&] { makeTokenSource(fileConfig(control), 8); }, {"ctl.bin", "binary", "control"});
        const std::string latin1 = writeFile(dir, "latin1.txt", "ab\ncaf\xE9 au lait\n" + sampleText(50));
        expectError([&] { makeTokenSource(fileConfig(latin1), 8); },
                    {"latin1.txt", "UTF-8", "offset 6", "line 2"});
        const std::string overlong = writeFile(dir, "overlong.txt", "abc\xC0\xAF" + sampleText(50));
        expectError([&] { makeTokenSource(fileConfig(overlong), 8); }, {"offset 3"});
        expectError([&] { makeTokenSource(fileConfig(dir.filePath("nope.txt").toStdString()), 8); },
                    {"nope.txt", "does not exist"});
        expectError([&] { makeTokenSource(fileConfig(dir.path().toStdString()), 8); }, {"folder"});
        // Inputs that never end or never start: refused by type, at once (they used to read /dev/zero
        // without end and block on a FIFO without a writer).
        expectError([&] { makeTokenSource(fileConfig("/dev/zero"), 8); }, {"/dev/zero", "device"});
        const std::string fifo = dir.filePath("corpus.fifo").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        expectError([&] { makeTokenSource(fileConfig(fifo), 8); }, {"corpus.fifo", "FIFO"});
        const std::string tiny = writeFile(dir, "tiny.txt", "short text\n");
        expectError([&] { makeTokenSource(fileConfig(tiny), 64); }, {"tiny.txt", "11 tokens", "65"});
        // 1000 bytes: 10% validation = 100 tokens, too few for context 128 (needs 129)
        const std::string small = writeFile(dir, "small.txt", std::string(1000, 'x'));
        expectError([&] { makeTokenSource(fileConfig(small), 128); },
                    {"small.txt", "validation", "100", "129"});
        QVERIFY(makeTokenSource(fileConfig(small), 99) != nullptr); // exactly enough
    }
    void unknownNamesListValidOnes() {
        DataConfig c;
        c.source = "web";
        expectError([&] { makeTokenSource(c, 8); }, {"web", "\"fortunes\"", "\"file\"", "\"task\""});
        c.source = "task";
        c.task = "parity";
        expectError([&] { makeTokenSource(c, 8); }, {"parity", "\"copy\"", "\"induction\"", "\"local\""});
    }
    void fortunesMissingPackage() {
        QTemporaryDir empty;
        const QByteArray old = qgetenv("ATTNSCOPE_FORTUNES_DIR");
        qputenv("ATTNSCOPE_FORTUNES_DIR", empty.path().toUtf8());
        DataConfig c; // source "fortunes" by default
        expectError([&] { makeTokenSource(c, 64); },
                    {"Debian package 'fortunes'", "apt-get install fortunes"});
        old.isNull() ? qunsetenv("ATTNSCOPE_FORTUNES_DIR") : qputenv("ATTNSCOPE_FORTUNES_DIR", old);
    }
    void fortunesLoadsWhenInstalled() {
        if (!QDir(QString::fromStdString(test::fortunesDir())).exists("literature"))
            QSKIP("Debian package 'fortunes' is not installed");
        const FortunesText f = loadFortunes(test::fortunesDir());
        QVERIFY(f.files.size() >= 5);
        QVERIFY(f.fortunes > 1000);
        QVERIFY(f.text.find("\n%\n") == std::string::npos);
        QVERIFY(f.text.find('\b') == std::string::npos);
        QVERIFY(f.text.find("\n\n") != std::string::npos);
        // art underlines by overstrike, "*___\b\b\band*": rendered as a terminal shows it
        QVERIFY(f.text.find("whiter teeth *and* fresher breath.") != std::string::npos);
        QCOMPARE(loadFortunes(test::fortunesDir()).text, f.text); // fixed shuffle
        DataConfig c;
        const auto src = makeTokenSource(c, 256);
        QVERIFY(QString::fromStdString(src->name()).startsWith("fortunes"));
        QVERIFY(src->validationStream().size() > 10000);
        QCOMPARE(src->contentHash(), hex64(fnv1a64(f.text)));
    }

    void batchesAreDeterministic() {
        QTemporaryDir dir;
        const auto src = makeTokenSource(fileConfig(writeFile(dir, "c.txt", sampleText(200))), 32);
        const Batch a = sample(*src, Split::Train, 4, 32, 7), b = sample(*src, Split::Train, 4, 32, 7);
        QCOMPARE(a.inputs, b.inputs);
        QCOMPARE(a.targets, b.targets);
        QVERIFY(sample(*src, Split::Train, 4, 32, 8).inputs != a.inputs);
    }
    void targetsAreNextTokens() {
        QTemporaryDir dir;
        const auto src = makeTokenSource(fileConfig(writeFile(dir, "c.txt", sampleText(200))), 32);
        const auto& train = static_cast<const TextCorpus&>(*src).trainStream();
        QCOMPARE(train.size() + src->validationStream().size(), sampleText(200).size());
        QCOMPARE(std::int64_t(src->validationStream().size()) - 1, src->maxLength());
        for (Split split : {Split::Train, Split::Validation}) {
            const auto& stream = split == Split::Train ? train : src->validationStream();
            const Batch b = sample(*src, split, 8, 32, 3);
            for (int r = 0; r < 8; ++r) {
                const std::int32_t* in = b.inputs.data() + r * 32;
                const std::int32_t* tg = b.targets.data() + r * 32;
                for (int i = 0; i + 1 < 32; ++i) QCOMPARE(tg[i], in[i + 1]);
                QVERIFY(isSubsequence(stream, in, 32));
                QVERIFY(isSubsequence(stream, tg, 32));
            }
        }
        std::vector<std::int32_t> pin, ptg;
        src->probe(32, pin, ptg);
        QVERIFY(std::equal(pin.begin(), pin.end(), src->validationStream().begin()));
        QCOMPARE(ptg.back(), src->validationStream()[32]);
    }
    void bosOption() {
        QTemporaryDir dir;
        DataConfig c = fileConfig(writeFile(dir, "c.txt", sampleText(200)));
        c.bos = true;
        const auto src = makeTokenSource(c, 16);
        const auto& train = static_cast<const TextCorpus&>(*src).trainStream();
        const Batch b = sample(*src, Split::Train, 8, 16, 5);
        for (int r = 0; r < 8; ++r) {
            const std::int32_t* in = b.inputs.data() + r * 16;
            const std::int32_t* tg = b.targets.data() + r * 16;
            QCOMPARE(in[0], Tokenizer::kBos);
            QVERIFY(std::none_of(in + 1, in + 16, [](std::int32_t t) { return t < 2; }));
            for (int i = 0; i + 1 < 16; ++i) QCOMPARE(tg[i], in[i + 1]);
            QVERIFY(
                isSubsequence(train, tg, 16)); // 16 corpus tokens: 15 inputs after <bos> + the last target
        }
        std::vector<std::int32_t> pin, ptg;
        src->probe(16, pin, ptg);
        QCOMPARE(pin[0], Tokenizer::kBos);
        QCOMPARE(ptg[0], src->validationStream()[0]);
    }
    void customProbeText() {
        QTemporaryDir dir;
        DataConfig c = fileConfig(writeFile(dir, "c.txt", sampleText(200)));
        c.probeText = "the fox!";
        const auto src = makeTokenSource(c, 16);
        std::vector<std::int32_t> in, tg;
        src->probe(16, in, tg);
        QCOMPARE(src->tokenizer().decode(in), std::string("the fox<unk>"));
        QCOMPARE(tg.back(), kIgnoreTarget);
        QCOMPARE(tg[0], in[1]);
        c.probeText = "@@@";
        expectError([&] { makeTokenSource(c, 16); }, {"probe text"});
    }
    void contentHash() {
        QTemporaryDir dir;
        const auto a = makeTokenSource(fileConfig(writeFile(dir, "a.txt", sampleText(100))), 16);
        const auto b = makeTokenSource(fileConfig(writeFile(dir, "b.txt", sampleText(100))), 16);
        const auto c = makeTokenSource(fileConfig(writeFile(dir, "c.txt", sampleText(101))), 16);
        QCOMPARE(a->contentHash().size(), std::size_t(16));
        QCOMPARE(a->contentHash(), b->contentHash());
        QVERIFY(a->contentHash() != c->contentHash());
        QCOMPARE(hex64(fnv1a64("a")), std::string("af63dc4c8601ec8c")); // published FNV-1a 64 test vector
        DataConfig t;
        t.source = "task";
        const std::string copy16 = makeTokenSource(t, 8)->contentHash();
        t.taskAlphabet = 10;
        QVERIFY(makeTokenSource(t, 8)->contentHash() != copy16);
    }

    void tasks_data() {
        QTest::addColumn<QString>("task");
        QTest::addColumn<int>("alphabet");
        QTest::addColumn<bool>("bos");
        for (const auto& task : taskNames())
            for (int alphabet : {3, 10, 16, 64})
                if (task != kBigramBackcopyTask) // a chain over corpus characters: tst_bigram_backcopy
                    for (bool bos : {false, true})
                        QTest::addRow("%s/%d/%s", task.c_str(), alphabet, bos ? "bos" : "nobos")
                            << QString::fromStdString(task) << alphabet << bos;
    }
    void tasks();
    void taskSplitsAreDisjoint();
    void taskProbeIsFixed() {
        DataConfig c;
        c.source = "task";
        c.task = "reverse";
        const auto src = makeTokenSource(c, 64);
        std::vector<std::int32_t> a, at, b, bt;
        src->probe(64, a, at);
        src->probe(64, b, bt);
        QCOMPARE(a.size(), std::size_t(64));
        QCOMPARE(a, b);
        QCOMPARE(at, bt);
        QVERIFY(src->validationStream().empty());
        QVERIFY(src->maxLength() > 1000000);
        QCOMPARE(src->tokenizer().decode(src->tokenizer().encode("a b | b a")), std::string("ab|ba"));
    }

    void configValidation() {
        QVERIFY(TrainConfig().validate().empty());
        QVERIFY(DataConfig().validate().empty());
        TrainConfig t;
        t.batch = 0;
        t.lr = std::nan("");
        t.beta2 = 1.0;
        t.minLrRatio = 1.5;
        t.checkpointEvery = -1;
        t.evalBatches = 0;
        const auto errors = t.validate();
        QCOMPARE(errors.size(), std::size_t(6));
        QVERIFY(errors[0].find("batch must be at least 1 (got 0)") != std::string::npos);
        for (const auto& e : errors) QVERIFY2(e.back() == '.', e.c_str());
        DataConfig d;
        d.source = "file";
        d.valFraction = 1.0;
        QCOMPARE(d.validate().size(), std::size_t(2)); // empty path, val_fraction
        d.source = "task";
        d.task = "copy";
        d.taskAlphabet = 65;
        d.taskLocalK = 0;
        d.valFraction = 0.2;
        QCOMPARE(d.validate().size(), std::size_t(2));
    }
};

// Independent re-derivation of each task's layout: finds the instances through the separators, recomputes
// every answer, and checks that exactly the answer positions are scored, with the right tokens.
void TestData::tasks() {
    QFETCH(QString, task);
    QFETCH(int, alphabet);
    QFETCH(bool, bos);
    DataConfig c;
    c.source = "task";
    c.task = task.toStdString();
    c.taskAlphabet = alphabet;
    c.taskLocalK = 3;
    c.bos = bos;
    const auto src = makeTokenSource(c, 64);
    const Tokenizer& tok = src->tokenizer();
    std::map<std::string, std::int32_t> id;
    for (int i = 0; i < tok.vocabSize(); ++i) id[tok.display(i)] = i;
    const int T = 61, B = 6; // not a multiple of any instance length, so instances are cut at the end
    for (Split split : {Split::Train, Split::Validation}) {
        const Batch b = sample(*src, split, B, T, 11);
        for (int r = 0; r < B; ++r) {
            const std::int32_t* in = b.inputs.data() + r * T;
            const std::int32_t* tg = b.targets.data() + r * T;
            // Stream positions 0..T; the last is known only through a scored target.
            std::vector<std::int32_t> s(in, in + T);
            s.push_back(tg[T - 1] == kIgnoreTarget ? -1 : tg[T - 1]);
            for (int i = 0; i < T; ++i) {
                QVERIFY(in[i] >= 2 || (bos && i == 0 && in[i] == Tokenizer::kBos));
                QVERIFY(in[i] < tok.vocabSize());
                if (tg[i] != kIgnoreTarget && i + 1 < T) QCOMPARE(tg[i], in[i + 1]);
            }
            const int start = bos ? 1 : 0;
            if (bos) QCOMPARE(in[0], Tokenizer::kBos);
            std::map<int, std::int32_t> expected; // stream position → answer token
            auto sym = [&](int p) { return s[p] - 2; };
            if (task == "copy" || task == "reverse" || task == "sort") {
                for (int j = start; j < T; ++j) {
                    if (s[j] != id.at("|")) continue;
                    QVERIFY(j - start >= 8);
                    std::vector<std::int32_t> p(s.begin() + j - 8, s.begin() + j);
                    QVERIFY(j - 8 == start || s[j - 9] == id.at(";"));
                    if (task == "reverse") std::reverse(p.begin(), p.end());
                    if (task == "sort") std::sort(p.begin(), p.end());
                    for (int k = 0; k < 8 && j + 1 + k <= T; ++k) expected[j + 1 + k] = p[k];
                    if (j + 9 < T) QCOMPARE(s[j + 9], id.at(";"));
                }
            } else if (task == "induction") {
                for (int a = start; a < T;) {
                    int e = a;
                    while (e < T && s[e] != id.at(";")) ++e;
                    int m = a + 1;
                    while (m < e && s[m] != s[a]) ++m; // first repeat of the first symbol starts the copy
                    const std::set<std::int32_t> firstHalf(s.begin() + a, s.begin() + m);
                    QCOMPARE(int(firstHalf.size()), m - a); // distinct symbols
                    QVERIFY(m - a <= std::min(alphabet, 16));
                    if (m < e || e < T) QVERIFY(m - a >= std::max(2, (std::min(alphabet, 16) + 1) / 2));
                    for (int q = m + 1; q < m + (m - a) && q <= T; ++q) expected[q] = s[q - (m - a)];
                    if (e < T) QCOMPARE(e - m, m - a); // complete instance: repeat as long as the sequence
                    a = e + 1;
                }
            } else if (task == "modadd") {
                for (int j = start; j < T; ++j) {
                    if (s[j] != id.at("=")) continue;
                    QCOMPARE(s[j - 2], id.at("+"));
                    expected[j + 1] = 2 + (sym(j - 3) + sym(j - 1)) % alphabet;
                }
            } else if (task == "local") {
                for (int y = start + 1; y <= T; y += 2) {
                    int sum = 0;
                    for (int x = y - 1; x >= start && x > y - 1 - 2 * c.taskLocalK; x -= 2) sum += sym(x);
                    expected[y] = 2 + sum % alphabet;
                }
            }
            QVERIFY(!expected.empty());
            for (int p = 1; p <= T; ++p) {
                const auto it = expected.find(p);
                if (it == expected.end())
                    QCOMPARE(tg[p - 1], kIgnoreTarget);
                else
                    QCOMPARE(tg[p - 1], it->second);
            }
        }
    }
}

// Validation instances never occur in training: checked on modadd (whole operand space) and copy prompts.
void TestData::taskSplitsAreDisjoint() {
    for (const char* task : {"modadd", "copy"}) {
        DataConfig c;
        c.source = "task";
        c.task = task;
        c.taskAlphabet =
            std::string(task) == "modadd" ? 6 : 2; // copy: only 2^8 prompts, so overlap is likely
        c.valFraction = 0.2;                       // unless the split partition works
        const auto src = makeTokenSource(c, 48);
        std::set<std::vector<std::int32_t>> seen[2];
        for (int split = 0; split < 2; ++split) {
            const Batch b = sample(*src, split ? Split::Validation : Split::Train, 64, 48, 21 + split);
            const int width = std::string(task) == "modadd" ? 3 : 8; // "a + b" or the 8-symbol prompt
            const int stride = std::string(task) == "modadd" ? 6 : 18;
            for (int r = 0; r < 64; ++r)
                for (int i = 0; i + width <= 48; i += stride)
                    seen[split].insert(std::vector<std::int32_t>(b.inputs.begin() + r * 48 + i,
                                                                 b.inputs.begin() + r * 48 + i + width));
        }
        QVERIFY(!seen[1].empty());
        for (const auto& v : seen[1]) QVERIFY2(!seen[0].count(v), task);
        if (std::string(task) == "modadd") {
            QCOMPARE(int(seen[1].size()), 7); // round(0.2 · 36) pairs held out, all of them drawn
            QCOMPARE(int(seen[0].size()), 29);
        }
    }
}

QTEST_GUILESS_MAIN(TestData)
#include "tst_data.moc"
