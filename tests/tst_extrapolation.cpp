// Length-extrapolation evaluation (core/eval): which tokens each mode scores, that chunks are independent
// forwards, the synthetic-task path, and the learned-position limit.
#include "core/data/synthetic_tasks.h"
#include "core/eval/extrapolation.h"
#include "core/util/error.h"

#include <QtTest>
#include <cmath>
#include <omp.h>

using namespace attnscope;

namespace {

ModelConfig tinyConfig(PositionScheme position, int vocab = 12) {
    ModelConfig c;
    c.layers = 1, c.heads = 2, c.dModel = 16, c.context = 16, c.vocab = vocab;
    c.position = position;
    return c;
}

std::unique_ptr<Model<float>> tinyModel(PositionScheme position, int vocab = 12) {
    auto model = std::make_unique<Model<float>>(tinyConfig(position, vocab));
    Rng rng(7);
    model->initialize(rng);
    return model;
}

// A deterministic token stream over the ordinary ids (the two specials excluded).
std::vector<std::int32_t> stream(std::size_t n, int vocab = 12) {
    std::vector<std::int32_t> s(n);
    Rng rng(3);
    for (auto& t : s) t = 2 + std::int32_t(rng.below(std::uint64_t(vocab - 2)));
    return s;
}

// Mean loss of a single sequence at stream offset `offset`, scoring only its last `scored` targets.
double singleForward(Model<float>& model, const std::vector<std::int32_t>& s, std::size_t offset, int length,
                     int scored, long* scoredOut = nullptr) {
    Workspace<float> ws(model.config(), 1, length);
    std::vector<std::int32_t> in(s.begin() + long(offset), s.begin() + long(offset) + length);
    std::vector<std::int32_t> tg(s.begin() + long(offset) + 1, s.begin() + long(offset) + length + 1);
    for (int i = 0; i < length - scored; ++i) tg[std::size_t(i)] = kIgnoreTarget;
    const double loss = model.forward(ws, in.data(), tg.data());
    if (scoredOut) *scoredOut = ws.scored;
    return loss;
}

} // namespace

class TestExtrapolation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { omp_set_num_threads(1); }
    void nonoverlappingCoversWholeChunks();
    void nonoverlappingChunksAreIndependentForwards();
    void maxTokensCapsDeterministically();
    void slidingScoresExactlyStridePerWindow();
    void slidingWithStrideLengthEqualsNonoverlapping();
    void bosChunksStartWithBos();
    void learnedPositionsCannotExtrapolate();
    void tooShortStreamGivesANote();
    void syntheticTaskUsesFreshInstances();
    void badArgumentsThrow();
};

void TestExtrapolation::nonoverlappingCoversWholeChunks() {
    auto model = tinyModel(PositionScheme::Alibi);
    const auto s = stream(1000);
    ExtrapolationOptions options;
    options.maxTokens = 1'000'000;
    for (const int length : {16, 32, 48, 100}) {
        EvalCoverage coverage;
        const EvalRecord r = evaluateStream(*model, s, length, options, &coverage);
        // Inputs s[kL, (k+1)L) need the target s[(k+1)L]: floor((N − 1) / L) chunks fit.
        const std::int64_t chunks = (1000 - 1) / length;
        QCOMPARE(coverage.available, chunks);
        QCOMPARE(coverage.sequences, chunks);
        QCOMPARE(coverage.scoredTokens, chunks * length);
        QCOMPARE(r.length, length);
        QCOMPARE(r.mode, std::string("nonoverlapping"));
        QVERIFY(std::isfinite(r.loss));
        QVERIFY(std::abs(r.perplexity - std::exp(r.loss)) < 1e-9 * r.perplexity);
        QVERIFY(r.note.empty());
    }
}

void TestExtrapolation::nonoverlappingChunksAreIndependentForwards() {
    auto model = tinyModel(PositionScheme::Sinusoidal);
    const auto s = stream(200);
    const int L = 24;
    ExtrapolationOptions options;
    options.memoryBudget = 1; // one sequence per forward …
    const EvalRecord single = evaluateStream(*model, s, L, options);
    options.memoryBudget = std::size_t(1) << 30; // … or all of them batched: the same chunks, the same loss
    const EvalRecord batched = evaluateStream(*model, s, L, options);
    double expected = 0;
    const int chunks = (200 - 1) / L;
    for (int k = 0; k < chunks; ++k) expected += singleForward(*model, s, std::size_t(k) * L, L, L);
    expected /= chunks; // every chunk scores L tokens, so the token mean is the chunk mean
    QVERIFY2(std::abs(single.loss - expected) < 1e-6, qPrintable(QString::number(single.loss - expected)));
    QVERIFY2(std::abs(batched.loss - expected) < 1e-5, qPrintable(QString::number(batched.loss - expected)));
}

void TestExtrapolation::maxTokensCapsDeterministically() {
    auto model = tinyModel(PositionScheme::Rope);
    const auto s = stream(2000);
    ExtrapolationOptions options;
    options.maxTokens = 100; // 6 whole chunks of 16, taken from the start of the stream
    EvalCoverage coverage;
    const EvalRecord a = evaluateStream(*model, s, 16, options, &coverage);
    QCOMPARE(coverage.sequences, std::int64_t(6));
    QCOMPARE(coverage.scoredTokens, std::int64_t(96));
    const EvalRecord b = evaluateStream(*model, s, 16, options);
    QCOMPARE(a.loss, b.loss);
    std::vector<std::int32_t> prefix(s.begin(), s.begin() + 97); // exactly the tokens the 6 chunks read
    options.maxTokens = 1'000'000;
    QCOMPARE(evaluateStream(*model, prefix, 16, options).loss, a.loss);
    options.maxTokens = 3; // less than one chunk still evaluates one
    evaluateStream(*model, s, 16, options, &coverage);
    QCOMPARE(coverage.sequences, std::int64_t(1));
}

void TestExtrapolation::slidingScoresExactlyStridePerWindow() {
    auto model = tinyModel(PositionScheme::Alibi);
    const auto s = stream(200);
    const int L = 16;
    for (const int S : {1, 4, 5, 15}) {
        ExtrapolationOptions options;
        options.stride = S;
        options.maxTokens = 1'000'000;
        EvalCoverage coverage;
        const EvalRecord r = evaluateStream(*model, s, L, options, &coverage);
        // Windows start at 0, S, 2S, … while a window and its last target fit: (N − L − 1) / S + 1.
        const std::int64_t windows = (200 - L - 1) / S + 1;
        QCOMPARE(r.mode, "sliding:" + std::to_string(S));
        QCOMPARE(coverage.sequences, windows);
        QCOMPARE(coverage.scoredTokens, windows * S);
        // The loss is the token mean over each window's last S targets.
        double expected = 0;
        long total = 0;
        for (std::int64_t w = 0; w < windows; ++w) {
            long scored = 0;
            expected += singleForward(*model, s, std::size_t(w * S), L, S, &scored) * double(scored);
            QCOMPARE(scored, long(S));
            total += scored;
        }
        expected /= double(total);
        QVERIFY2(std::abs(r.loss - expected) < 1e-5, qPrintable(QString::number(r.loss - expected)));
    }
}

void TestExtrapolation::slidingWithStrideLengthEqualsNonoverlapping() {
    auto model = tinyModel(PositionScheme::Alibi);
    const auto s = stream(300);
    ExtrapolationOptions sliding;
    sliding.stride = 20;
    EvalCoverage a, b;
    const double slidingLoss = evaluateStream(*model, s, 20, sliding, &a).loss;
    const double chunkLoss = evaluateStream(*model, s, 20, {}, &b).loss;
    QCOMPARE(a.scoredTokens, b.scoredTokens);
    QVERIFY(std::abs(slidingLoss - chunkLoss) < 1e-9);
}

void TestExtrapolation::bosChunksStartWithBos() {
    auto model = tinyModel(PositionScheme::Alibi);
    const auto s = stream(160);
    ExtrapolationOptions options;
    options.bos = true;
    EvalCoverage coverage;
    const EvalRecord r = evaluateStream(*model, s, 16, options, &coverage);
    // With <bos> a chunk reads exactly L stream tokens (targets s[o, o+L)), so 160 / 16 = 10 chunks fit.
    QCOMPARE(coverage.sequences, std::int64_t(10));
    Workspace<float> ws(model->config(), 1, 16);
    double expected = 0;
    for (int k = 0; k < 10; ++k) {
        std::vector<std::int32_t> in(16), tg(s.begin() + k * 16, s.begin() + k * 16 + 16);
        in[0] = Tokenizer::kBos;
        std::copy(s.begin() + k * 16, s.begin() + k * 16 + 15, in.begin() + 1);
        expected += model->forward(ws, in.data(), tg.data()) / 10;
    }
    QVERIFY(std::abs(r.loss - expected) < 1e-5);
}

void TestExtrapolation::learnedPositionsCannotExtrapolate() {
    auto learned = tinyModel(PositionScheme::Learned);
    const auto s = stream(500);
    const EvalRecord inside = evaluateStream(*learned, s, 16);
    QVERIFY(std::isfinite(inside.loss));
    QVERIFY(inside.note.empty());
    EvalCoverage coverage;
    const EvalRecord beyond = evaluateStream(*learned, s, 32, {}, &coverage);
    QVERIFY(std::isnan(beyond.loss));
    QVERIFY(std::isnan(beyond.perplexity));
    QCOMPARE(beyond.note, std::string("learned positions cannot extrapolate past L=16"));
    QCOMPARE(coverage.scoredTokens, std::int64_t(0));
    QVERIFY(std::isnan(forwardLatencyMs(*learned, 32, 1)));
    // Schemes that need no per-position table run at any length.
    for (const auto p :
         {PositionScheme::Alibi, PositionScheme::Sinusoidal, PositionScheme::Rope, PositionScheme::None}) {
        auto model = tinyModel(p);
        const EvalRecord r = evaluateStream(*model, s, 64);
        QVERIFY2(std::isfinite(r.loss) && r.note.empty(), toString(p));
    }
}

void TestExtrapolation::tooShortStreamGivesANote() {
    auto model = tinyModel(PositionScheme::Alibi);
    const EvalRecord r = evaluateStream(*model, stream(40), 64);
    QVERIFY(std::isnan(r.loss));
    QVERIFY(r.note.find("has 40 tokens") != std::string::npos);
}

void TestExtrapolation::syntheticTaskUsesFreshInstances() {
    DataConfig data;
    data.source = "task", data.task = "copy", data.taskAlphabet = 8;
    const SyntheticTask task(data);
    QVERIFY(task.validationStream().empty());
    auto model = tinyModel(PositionScheme::Alibi, task.tokenizer().vocabSize());
    ExtrapolationOptions options;
    options.maxTokens = 320;
    EvalCoverage coverage;
    const EvalRecord a = evaluateAtLength(*model, task, 32, options, &coverage);
    QCOMPARE(coverage.sequences, std::int64_t(10));                    // 320 / 32 sequences
    QVERIFY(coverage.scoredTokens > 0 && coverage.scoredTokens < 320); // prompts are not scored
    QVERIFY(std::isfinite(a.loss));
    QCOMPARE(evaluateAtLength(*model, task, 32, options).loss, a.loss); // fixed seed: reproducible
    options.stride = 4;
    evaluateAtLength(*model, task, 32, options, &coverage);
    QVERIFY(coverage.scoredTokens <= coverage.sequences * 4);
    QVERIFY(coverage.scoredTokens > 0);
    auto learned = tinyModel(PositionScheme::Learned, task.tokenizer().vocabSize());
    QVERIFY(evaluateAtLength(*learned, task, 32).note.find("cannot extrapolate past L=16") !=
            std::string::npos);
}

void TestExtrapolation::badArgumentsThrow() {
    auto model = tinyModel(PositionScheme::Alibi);
    const auto s = stream(100);
    QVERIFY_THROWS_EXCEPTION(Error, evaluateStream(*model, s, 0));
    ExtrapolationOptions options;
    options.stride = 17;
    QVERIFY_THROWS_EXCEPTION(Error, evaluateStream(*model, s, 16, options));
    options.stride = -1;
    QVERIFY_THROWS_EXCEPTION(Error, evaluateStream(*model, s, 16, options));
}

QTEST_APPLESS_MAIN(TestExtrapolation)
#include "tst_extrapolation.moc"
