// "Probe your own text" in the core: the nearest-checkpoint rule, encoding a typed text (empty, unknown
// characters, too long), rebuilding a model from checkpoint bytes, and probing a sample run's checkpoint.
#include "core/data/tokenizer.h"
#include "core/eval/text_probe.h"
#include "core/store/run_reader.h"
#include "core/train/checkpoint.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "helpers/test_paths.h"

#include <QtTest>
#include <cmath>
#include <nlohmann/json.hpp>
#include <omp.h>

using namespace attnscope;

namespace {

std::string samplePath(const char* name) {
    return test::sourceDir() + "/sample_runs/" + name;
}

ModelConfig modelWith(PositionScheme position, int context) {
    ModelConfig c;
    c.position = position;
    c.context = context;
    return c;
}

// Runs `f`, expecting an attnscope::Error whose message contains `part`.
template <typename F> void expectError(F f, const char* part) {
    try {
        f();
    } catch (const Error& e) {
        QVERIFY2(QString::fromStdString(e.what()).contains(QString::fromUtf8(part)), e.what());
        return;
    }
    QFAIL(qPrintable(QStringLiteral("no error mentioning \"%1\"").arg(QString::fromUtf8(part))));
}

RunSpec tinySpec() {
    RunSpec s;
    s.name = "tiny";
    s.model.layers = 2, s.model.heads = 2, s.model.dModel = 16, s.model.context = 16;
    s.data.source = "task", s.data.task = "copy", s.data.taskAlphabet = 8;
    s.train.batch = 4, s.train.steps = 6, s.train.recordEvery = 3, s.train.evalEvery = 3, s.train.threads = 1;
    return s;
}

} // namespace

class TestTextProbe : public QObject {
    Q_OBJECT
private slots:
    void nearestCheckpoint_data() {
        QTest::addColumn<int>("step");
        QTest::addColumn<int>("expected");
        QTest::newRow("exact") << 1000 << 1000;
        QTest::newRow("closer to the earlier") << 620 << 500;
        QTest::newRow("closer to the later") << 760 << 1000;
        QTest::newRow("tie takes the earlier") << 750 << 500;
        QTest::newRow("before the first") << 0 << 500;
        QTest::newRow("after the last") << 9000 << 1500;
    }
    void nearestCheckpoint() {
        QFETCH(int, step);
        QFETCH(int, expected);
        QCOMPARE(attnscope::nearestCheckpoint({1500, 500, 1000}, step), expected); // unsorted on purpose
        QCOMPARE(attnscope::nearestCheckpoint({}, step), -1);
    }

    void limitFollowsPositions() {
        QCOMPARE(probeTokenLimit(modelWith(PositionScheme::Learned, 64)), 64);
        QCOMPARE(probeTokenLimit(modelWith(PositionScheme::Alibi, 64)), 256);
        QCOMPARE(probeTokenLimit(modelWith(PositionScheme::Rope, 256)), kMaxExtrapolatedProbe);
        QCOMPARE(probeTokenLimit(modelWith(PositionScheme::Sinusoidal, 1024)), 1024);
    }

    void encodingReportsWhatItChanged() {
        const Tokenizer tok = Tokenizer::fromText("abc ");
        const ModelConfig learned = modelWith(PositionScheme::Learned, 8);
        expectError([&] { encodeProbeInput(tok, "", learned, false); }, "empty");
        expectError([&] { encodeProbeInput(tok, "xyz", learned, false); },
                    "no character the vocabulary knows");

        // "é" is two bytes, two <unk> tokens, but one character to name; "z" twice is named once.
        const ProbeText p = encodeProbeInput(tok, "ab\xC3\xA9 zcz", learned, false);
        QCOMPARE(p.unknown, std::size_t(3));
        QCOMPARE(p.unknownCharacters, (std::vector<std::string>{"\xC3\xA9", "z"}));
        QCOMPARE(p.tokens.size(), std::size_t(8));
        QCOMPARE(p.tokens[2], Tokenizer::kUnk);
        QCOMPARE(p.dropped, std::size_t(0));

        // Learned positions: cut at the context, <bos> included in the count.
        const ProbeText longText = encodeProbeInput(tok, std::string(20, 'a'), learned, true);
        QCOMPARE(longText.limit, 8);
        QCOMPARE(longText.tokens.size(), std::size_t(8));
        QCOMPARE(longText.tokens.front(), Tokenizer::kBos);
        QCOMPARE(longText.dropped, std::size_t(13));
        // ALiBi can read past the context: up to four times it.
        const ProbeText alibi =
            encodeProbeInput(tok, std::string(20, 'a'), modelWith(PositionScheme::Alibi, 8), false);
        QCOMPARE(alibi.tokens.size(), std::size_t(20));
        QCOMPARE(alibi.dropped, std::size_t(0));

        // Symbol vocabularies (tasks): whitespace separates, any other unknown byte is named.
        const Tokenizer symbols = Tokenizer::fromSymbols({"1", "2", "|"});
        const ProbeText s = encodeProbeInput(symbols, "1 2 | x 2", learned, false);
        QCOMPARE(s.tokens.size(), std::size_t(5));
        QCOMPARE(s.unknownCharacters, std::vector<std::string>{"x"});
    }

    void loadedModelMatchesTheTrainer() {
        // The model rebuilt from checkpoint bytes is the trainer's: the same snapshot, bit for bit.
        omp_set_num_threads(1);
        Trainer trainer(tinySpec());
        trainer.run();
        const std::vector<std::uint8_t> bytes = trainer.checkpoint();
        LoadedModel loaded = loadModel(bytes);
        QCOMPARE(loaded.step, 6);
        QCOMPARE(loaded.spec.model.dModel, 16);
        const std::vector<std::int32_t>& tokens = trainer.probeTokens();
        const SnapshotPtr expected = trainer.snapshot(tokens);
        const TextProbeResult got = probeModel(*loaded.model, tokens, loaded.step);
        QCOMPARE(got.snapshot->step, 6);
        QVERIFY(got.snapshot->attention == expected->attention);
        QVERIFY(got.snapshot->entropy == expected->entropy);

        expectError([&] { probeCheckpoint(bytes, tokens, trainer.spec().model.vocab + 1); }, "mismatch");
        expectError(
            [&] { probeCheckpoint(bytes, std::vector<std::int32_t>(17, 2), trainer.spec().model.vocab); },
            "at most 16 tokens");
        std::vector<std::uint8_t> corrupt(bytes.begin(), bytes.begin() + std::ptrdiff_t(bytes.size() / 3));
        QVERIFY_THROWS_EXCEPTION(Error, probeCheckpoint(corrupt, tokens, trainer.spec().model.vocab));
    }

    void probesASampleRun() {
        const RunReader reader(samplePath("extrap-alibi.attnrun"));
        const Tokenizer tok = Tokenizer::fromJson(reader.header().tokenizerJson);
        const RunSpec spec = runSpecFromJson(nlohmann::json::parse(reader.header().specJson));
        const std::vector<int> steps = reader.checkpointSteps();
        QVERIFY(!steps.empty());
        const std::string text = "the cat sat on the mat. the cat sat on the mat.";
        const ProbeText input = encodeProbeInput(tok, text, spec.model, spec.data.bos);
        QCOMPARE(input.unknown, std::size_t(0));
        const int step = attnscope::nearestCheckpoint(steps, 0);
        const TextProbeResult r = probeCheckpoint(reader.checkpoint(step), input.tokens, tok.vocabSize());
        QCOMPARE(r.step, step);

        // The snapshot is of the typed text: its tokens decode back to it.
        const ProbeSnapshot& s = *r.snapshot;
        std::vector<std::int32_t> body = s.tokens;
        if (spec.data.bos) body.erase(body.begin());
        QCOMPARE(tok.decode(body), text);
        QCOMPARE(s.length, int(input.tokens.size()));
        QCOMPARE(s.layers, spec.model.layers);
        QCOMPARE(s.heads, spec.model.heads);
        // Every attention row is a distribution over the keys the query sees (causal: none after it).
        for (int l = 0; l < s.layers; ++l)
            for (int h = 0; h < s.heads; ++h)
                for (int i = 0; i < s.length; ++i) {
                    const float* row = s.map(l, h) + std::size_t(i) * s.length;
                    double sum = 0;
                    for (int j = 0; j < s.length; ++j) {
                        QVERIFY(row[j] >= 0);
                        if (j > i) QCOMPARE(row[j], 0.0f);
                        sum += row[j];
                    }
                    QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QString::number(sum, 'g', 9)));
                }
        // Next-token predictions: one per position, the last without a successor.
        QCOMPARE(r.predictions.size(), input.tokens.size());
        QVERIFY(std::isnan(r.predictions.back().loss));
        QVERIFY(std::isfinite(r.meanLoss) && r.meanLoss > 0);
        // The second copy of a repeated sentence is easier than the first (a trained model uses context).
        double first = 0, second = 0;
        const std::size_t half = text.size() / 2;
        for (std::size_t i = 0; i + 1 < half; ++i) first += r.predictions[i].loss;
        for (std::size_t i = half; i + 1 < 2 * half; ++i) second += r.predictions[i].loss;
        QVERIFY2(second < first, qPrintable(QStringLiteral("%1 vs %2").arg(second).arg(first)));
        for (const TokenPrediction& p : r.predictions) {
            QVERIFY(p.topProbability[0] >= p.topProbability[1] && p.topProbability[1] >= p.topProbability[2]);
            QVERIFY(p.topProbability[0] + p.topProbability[1] + p.topProbability[2] <= 1.0f + 1e-5f);
        }
        for (std::size_t i = 0; i + 1 < r.predictions.size(); ++i) {
            const TokenPrediction& p = r.predictions[i];
            QVERIFY(p.rank >= 1);
            QCOMPARE(p.rank == 1, p.top[0] == input.tokens[i + 1]);
        }
    }
};

QTEST_GUILESS_MAIN(TestTextProbe)
#include "tst_text_probe.moc"
