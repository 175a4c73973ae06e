// The Bigram-Backcopy task (Guo et al. 2024): the backcopy rule on every trigger, the
// chain's statistics, the loss split, and sequence alignment (bos_aligned) for text corpora.
#include "core/data/bigram_backcopy.h"
#include "core/data/text_corpus.h"
#include "core/data/token_source.h"
#include "core/train/presets.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "helpers/test_paths.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace attnscope;

namespace {

// English with a skewed character distribution: space, 'e' and 't' are its most frequent bytes.
const char* kText = "the theory of the state is that the street meets the sea at the edge of the estate. "
                    "every tree there gets sweet water, yet the best trees need more. she sees three green "
                    "geese near the gate; the geese eat the wheat and then retreat to the sheltered east.\n\n"
                    "a second paragraph starts here, after a blank line.\n\n"
                    "and a third one, to give the aligned sampler three documents to start from.\n";

DataConfig taskConfig(bool bos = true) {
    DataConfig d;
    d.source = "task", d.task = kBigramBackcopyTask, d.taskTriggers = 3, d.bos = bos;
    return d;
}

double totalVariation(const std::vector<double>& p, const std::vector<double>& q) {
    double tv = 0;
    for (std::size_t i = 0; i < p.size(); ++i) tv += std::abs(p[i] - q[i]);
    return tv / 2;
}

} // namespace

class TestBigramBackcopy : public QObject {
    Q_OBJECT
private slots:
    void triggersAreTheMostFrequentCharacters() {
        const BigramBackcopyTask task("text", kText, taskConfig());
        const Tokenizer& tok = task.tokenizer();
        std::vector<std::int32_t> expected{tok.encode(" ")[0], tok.encode("e")[0], tok.encode("t")[0]};
        std::vector<std::int32_t> got = task.triggerTokens();
        std::sort(got.begin(), got.end()), std::sort(expected.begin(), expected.end());
        QCOMPARE(got, expected);
        const auto& m = task.marginal();
        for (std::int32_t t : expected)
            for (std::size_t other = 0; other < m.size(); ++other)
                if (!task.isTrigger(std::int32_t(other))) QVERIFY(m[std::size_t(t)] >= m[other]);
        QVERIFY(task.name().find("bigram-backcopy") != std::string::npos);
        DataConfig tooMany = taskConfig();
        tooMany.taskTriggers = 30;
        QVERIFY_THROWS_EXCEPTION(Error, BigramBackcopyTask("text", "abcabc", tooMany));
    }

    // The defining rule: after every trigger the next token is the one before the trigger; x₁ is never a
    // trigger; <bos> starts every sequence (and only there); every position is scored.
    void backcopyRuleHoldsOnEveryTrigger() {
        for (bool bos : {true, false}) {
            const BigramBackcopyTask task("text", kText, taskConfig(bos));
            const int B = 64, T = 128;
            std::vector<std::int32_t> in(B * T), tg(B * T);
            Rng rng(11);
            long triggers = 0;
            for (int round = 0; round < 4; ++round) {
                task.sampleBatch(Split::Train, B, T, rng, in.data(), tg.data());
                for (int b = 0; b < B; ++b) {
                    const std::int32_t* x = in.data() + b * T;
                    const std::int32_t* y = tg.data() + b * T;
                    const int first = bos ? 1 : 0;
                    if (bos) QCOMPARE(x[0], Tokenizer::kBos);
                    QVERIFY(!task.isTrigger(x[first]));
                    for (int i = 0; i < T; ++i) {
                        QVERIFY(y[i] >= 0);                      // every position scored
                        if (i + 1 < T) QCOMPARE(y[i], x[i + 1]); // targets are the next inputs
                        if (i > 0) QVERIFY(x[i] != Tokenizer::kBos);
                        QCOMPARE(task.lossPart(x, i), task.isTrigger(x[i]) ? 1 : 0);
                        if (!task.isTrigger(x[i])) continue;
                        ++triggers;
                        QVERIFY(i > first);
                        QCOMPARE(y[i], x[i - 1]);
                    }
                }
            }
            QVERIFY2(triggers > 5000, qPrintable(QString("only %1 triggers").arg(triggers)));
        }
    }

    // x₁ follows the marginal without triggers and every non-trigger token's successor its bigram row:
    // empirical distributions within a total-variation distance that a wrong row would exceed.
    void marginalAndBigramStatisticsMatch() {
        const BigramBackcopyTask task("text", kText, taskConfig());
        const std::size_t V = std::size_t(task.tokenizer().vocabSize());
        const int B = 256, T = 64;
        std::vector<std::int32_t> in(B * T), tg(B * T);
        Rng rng(12);
        std::vector<double> first(V, 0.0);
        std::vector<std::vector<double>> rows(V, std::vector<double>(V, 0.0));
        std::vector<double> rowCount(V, 0.0);
        for (int round = 0; round < 8; ++round) {
            task.sampleBatch(Split::Train, B, T, rng, in.data(), tg.data());
            for (int b = 0; b < B; ++b) {
                first[std::size_t(in[b * T + 1])] += 1.0 / (8 * B);
                for (int i = 1; i < T; ++i) {
                    const std::int32_t x = in[b * T + i];
                    if (task.isTrigger(x)) continue;
                    rows[std::size_t(x)][std::size_t(tg[b * T + i])] += 1;
                    rowCount[std::size_t(x)] += 1;
                }
            }
        }
        for (std::int32_t t : task.triggerTokens()) QCOMPARE(first[std::size_t(t)], 0.0);
        QVERIFY2(totalVariation(first, task.firstTokenDistribution()) < 0.06,
                 qPrintable(QString("x1 TV %1").arg(totalVariation(first, task.firstTokenDistribution()))));
        QVERIFY(totalVariation(first, task.marginal()) > 0.2); // the triggers' mass is really removed
        int checked = 0;
        for (std::size_t a = 0; a < V; ++a) {
            if (rowCount[a] < 3000) continue;
            for (double& c : rows[a]) c /= rowCount[a];
            const double tv = totalVariation(rows[a], task.transition(std::int32_t(a)));
            QVERIFY2(tv < 0.05, qPrintable(QString("row %1: TV %2").arg(a).arg(tv)));
            double wrong = 1;
            for (std::size_t o = 0; o < V; ++o) // rows that really differ (two characters may share a row)
                if (totalVariation(task.transition(std::int32_t(a)), task.transition(std::int32_t(o))) > 0.3)
                    wrong = std::min(wrong, totalVariation(rows[a], task.transition(std::int32_t(o))));
            QVERIFY2(wrong > 0.15,
                     qPrintable(QString("row %1 matches another row (TV %2)").arg(a).arg(wrong)));
            ++checked;
        }
        QVERIFY(checked >= 3);
        // The chain's rows are the corpus's adjacent-character frequencies: "th" is the commonest pair after
        // 't'.
        const Tokenizer& tok = task.tokenizer();
        const auto& afterT = task.transition(tok.encode("t")[0]);
        QCOMPARE(std::max_element(afterT.begin(), afterT.end()) - afterT.begin(),
                 std::ptrdiff_t(tok.encode("h")[0]));
    }

    void probeIsFixedAndStartsWithBos() {
        const BigramBackcopyTask task("text", kText, taskConfig());
        std::vector<std::int32_t> a, ta, b, tb;
        task.probe(64, a, ta);
        task.probe(64, b, tb);
        QCOMPARE(a, b);
        QCOMPARE(a.size(), std::size_t(64));
        QCOMPARE(a[0], Tokenizer::kBos);
    }

    // The trainer reports the two parts of the loss every step; the loss is their weighted mean.
    void trainerRecordsBigramAndBackcopyLoss() {
        if (!QFileInfo::exists(QString::fromStdString(test::fortunesDir()))) QSKIP("fortunes not installed");
        RunSpec spec = findPreset("sinks/bigram-backcopy")->spec;
        spec.train.steps = 3, spec.train.evalEvery = 3, spec.train.threads = 2, spec.train.batch = 4;
        Trainer trainer(spec);
        auto sub = trainer.bus().subscribe();
        trainer.run();
        std::vector<TelemetryMessage> messages;
        sub->drain(messages);
        int steps = 0;
        for (const auto& m : messages) {
            const auto* r = std::get_if<StepRecord>(&m);
            if (!r) continue;
            ++steps;
            std::map<std::string, double> v(r->scalars.begin(), r->scalars.end());
            QVERIFY(v.count("bigram_loss") && v.count("backcopy_loss"));
            QVERIFY(std::min(v["bigram_loss"], v["backcopy_loss"]) <= r->loss + 1e-9);
            QVERIFY(std::max(v["bigram_loss"], v["backcopy_loss"]) >= r->loss - 1e-9);
            QCOMPARE(bool(v.count("val_bigram_loss")), r->step == 3);
        }
        QCOMPARE(steps, 3);
    }

    // bos_aligned text: every sequence is <bos> + the text from a document start (after a blank line).
    void bosAlignedSequencesStartAtDocuments() {
        DataConfig d;
        d.source = "file", d.bosAligned = true, d.valFraction = 0.15;
        const TextCorpus corpus("file:x", "x", kText, d, 16);
        const std::string text = kText;
        const std::string train = text.substr(0, corpus.trainStream().size());
        const int B = 64, T = 16;
        std::vector<std::int32_t> in(B * T), tg(B * T);
        Rng rng(3);
        corpus.sampleBatch(Split::Train, B, T, rng, in.data(), tg.data());
        std::set<std::string> starts;
        for (int b = 0; b < B; ++b) {
            QCOMPARE(in[b * T], Tokenizer::kBos);
            const std::string s =
                corpus.tokenizer().decode({in.begin() + b * T + 1, in.begin() + (b + 1) * T});
            const std::size_t at = train.find(s);
            QVERIFY(at != std::string::npos);
            QVERIFY(at == 0 || train.compare(at - 2, 2, "\n\n") == 0);
            starts.insert(s);
        }
        QCOMPARE(starts.size(), std::size_t(3)); // the training part holds three document starts
    }
};

QTEST_GUILESS_MAIN(TestBigramBackcopy)
#include "tst_bigram_backcopy.moc"
