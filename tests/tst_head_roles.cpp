// Head scores, roles and their events (core/probe/head_scores.h, head_roles.h, induction_probe.h): each score
// on a hand-built map whose value is known (a pure previous-token map scores 1, ...), the TransformerLens
// normalisation it differs from, the role thresholds, role-change and phase-change events on synthetic
// series, the ICL positions and value, and the scores' round trip through a run file.
#include "core/data/induction_probe.h"
#include "core/data/synthetic_tasks.h"
#include "core/data/tokenizer.h"
#include "core/probe/head_roles.h"
#include "core/probe/head_scores.h"
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/util/rng.h"
#include "helpers/run_fixtures.h"
#include "helpers/test_paths.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>
#include <tuple>

using namespace attnscope;

namespace {

// What the induction lesson and docs/experiments.md §8 quote about sample_runs/induction.attnrun.
constexpr int kShippedSteps = 2000;
constexpr float kShippedInduction = 0.95f;     // largest layer-1 induction score at the end
constexpr float kShippedPreviousToken = 0.84f; // largest layer-0 previous-token score at the end
constexpr int kShippedPhaseStep = 350;

using Map = std::vector<float>;

// Row i puts all its mass on key target(i) (a one-hot causal map).
template <typename F> Map oneHot(int T, F target) {
    Map A(std::size_t(T) * T, 0.0f);
    for (int i = 0; i < T; ++i) A[std::size_t(i) * T + std::size_t(target(i))] = 1.0f;
    return A;
}

Map uniformCausal(int T) {
    Map A(std::size_t(T) * T, 0.0f);
    for (int i = 0; i < T; ++i)
        for (int j = 0; j <= i; ++j) A[std::size_t(i) * T + j] = 1.0f / float(i + 1);
    return A;
}

// <bos> r1..rn r1..rn with distinct r.
std::vector<std::int32_t> symbolIds(std::int32_t first, int count) {
    std::vector<std::int32_t> ids(std::size_t(count), 0);
    std::iota(ids.begin(), ids.end(), first);
    return ids;
}

std::vector<std::int32_t> repeated(int n) {
    return inductionProbeTokens(n, symbolIds(2, n + 3), true, 5);
}

RoleScores scoresWith(float RoleScores::*field, float value) {
    RoleScores s;
    s.normEntropy = 0.5f;
    s.*field = value;
    return s;
}

} // namespace

class TestHeadRoles : public QObject {
    Q_OBJECT
private slots:
    void inductionProbeIsDistinctTokensRepeated() {
        const auto symbols = symbolIds(2, 18);
        const auto t = inductionProbeTokens(6, symbols, true);
        QCOMPARE(int(t.size()), 13);
        QCOMPARE(t[0], Tokenizer::kBos);
        std::set<std::int32_t> distinct(t.begin() + 1, t.begin() + 7);
        QCOMPARE(int(distinct.size()), 6);
        for (int k = 0; k < 6; ++k) {
            QCOMPARE(t[std::size_t(1 + k)], t[std::size_t(7 + k)]);
            QVERIFY(t[std::size_t(1 + k)] >= 2 && t[std::size_t(1 + k)] < 20);
        }
        QCOMPARE(inductionProbeTokens(6, symbols, true), t); // seeded: the same every time
        QVERIFY(inductionProbeTokens(6, symbols, true, 99) != t);
        QVERIFY(inductionProbeTokens(19, symbols, true).empty()); // more than the distinct symbols
        QCOMPARE(inductionProbeHalf(0, 64, 18, true), 18);        // bound by the 18 symbols
        QCOMPARE(inductionProbeHalf(0, 64, 200, true), 31);       // context-bound: 1 + 2·31 ≤ 64
        QCOMPARE(inductionProbeHalf(10, 64, 200, false), 10);
        QCOMPARE(inductionProbeHalf(-1, 64, 200, false), 0);
        QCOMPARE(inductionProbeHalf(0, 4, 200, true), 0); // not even n = 2 fits
    }

    // The probe repeats data symbols only: a task's end marker (";") would put a token the model has only
    // seen at block boundaries into the middle of the repeat.
    void inductionProbeDrawsTheTaskAlphabetOnly() {
        DataConfig config;
        config.source = "task", config.task = "induction", config.taskAlphabet = 16, config.bos = true;
        const SyntheticTask task(config);
        const auto symbols = task.ordinarySymbols();
        QCOMPARE(int(symbols.size()), 16);
        const Tokenizer& tokenizer = task.tokenizer();
        QCOMPARE(tokenizer.vocabSize(), 2 + 16 + 1); // <unk>, <bos>, the alphabet, ";"
        for (std::int32_t id : symbols) QVERIFY(tokenizer.display(id) != ";");
        const auto probe =
            inductionProbeTokens(inductionProbeHalf(0, 64, int(symbols.size()), true), symbols, true);
        QCOMPARE(int(probe.size()), 1 + 2 * 16);
        for (std::size_t k = 1; k < probe.size(); ++k) QVERIFY(tokenizer.display(probe[k]) != ";");
    }

    void pureMapsScoreOne() {
        const auto tokens = repeated(8); // T = 17
        const int T = int(tokens.size()), n = 8;
        const HeadScores prev =
            headScores(oneHot(T, [](int i) { return std::max(0, i - 1); }).data(), tokens.data(), T);
        QCOMPARE(prev.previousToken, 1.0f);
        QCOMPARE(prev.induction, 0.0f); // on distinct tokens the previous key is never the induction target
        // Second-half query i = 1 + n + k attends to the first occurrence 1 + k (duplicate) or 2 + k
        // (induction); first-half queries attend to themselves.
        const auto firstOccurrence = [&](int i) { return i > n ? i - n : i; };
        const HeadScores dup = headScores(oneHot(T, firstOccurrence).data(), tokens.data(), T);
        QCOMPARE(dup.duplicateToken, 1.0f);
        QCOMPARE(dup.induction, 0.0f);
        const HeadScores ind =
            headScores(oneHot(T, [&](int i) { return i > n ? i - n + 1 : i; }).data(), tokens.data(), T);
        QCOMPARE(ind.induction, 1.0f);
        QCOMPARE(ind.duplicateToken, 0.0f);
        const HeadScores self = headScores(oneHot(T, [](int i) { return i; }).data(), tokens.data(), T);
        QCOMPARE(self.localMass, 1.0f);
        QCOMPARE(self.previousToken, 0.0f);
        const HeadScores sink = headScores(oneHot(T, [](int) { return 0; }).data(), tokens.data(), T);
        QCOMPARE(sink.localMass, 0.0f);
        QCOMPARE(sink.induction, 0.0f);
    }

    // Uniform causal attention: previous-token = mean over i ≥ 1 of 1/(i+1); induction on the repeat =
    // 1/(i+1) per second-half query (the score of a head that does nothing in particular).
    void uniformMapHasTheExpectedScores() {
        const auto tokens = repeated(5);
        const int T = int(tokens.size());
        const HeadScores s = headScores(uniformCausal(T).data(), tokens.data(), T);
        double prev = 0, ind = 0, local = 0;
        for (int i = 1; i < T; ++i) prev += 1.0 / (i + 1);
        for (int i = 6; i < T; ++i) ind += 1.0 / (i + 1);
        for (int i = kLocalWindow; i < T; ++i) local += double(kLocalWindow) / (i + 1);
        QVERIFY(std::abs(s.previousToken - prev / (T - 1)) < 1e-6);
        QVERIFY(std::abs(s.induction - ind / 5) < 1e-6);
        QVERIFY(std::abs(s.duplicateToken - ind / 5) < 1e-6);
        QVERIFY(std::abs(s.localMass - local / (T - kLocalWindow)) < 1e-6);
    }

    // TransformerLens's "mul" score Σ A⊙P / Σ A divides by all T rows; ours by the rows P gives a target.
    void differsFromTransformerLensOnlyByTheRowsCounted() {
        const std::vector<std::int32_t> tokens{1, 4, 5, 4, 6, 5, 4, 7, 5};
        const int T = int(tokens.size());
        Rng rng(3);
        Map A(std::size_t(T) * T, 0.0f);
        for (int i = 0; i < T; ++i) {
            double sum = 0;
            for (int j = 0; j <= i; ++j) sum += A[std::size_t(i) * T + j] = float(0.1 + rng.uniform());
            for (int j = 0; j <= i; ++j) A[std::size_t(i) * T + j] = float(A[std::size_t(i) * T + j] / sum);
        }
        const HeadScores s = headScores(A.data(), tokens.data(), T);
        double tlPrev = 0, tlDup = 0, tlInd = 0, total = 0;
        int targetRows = 0;
        for (int i = 0; i < T; ++i) {
            bool has = false;
            for (int j = 0; j <= i; ++j) {
                const double a = A[std::size_t(i) * T + j];
                total += a;
                if (j == i - 1) tlPrev += a;
                if (j < i && tokens[j] == tokens[i]) tlDup += a, has = true;
                if (j >= 1 && tokens[j - 1] == tokens[i] && j - 1 < i) tlInd += a;
            }
            targetRows += has;
        }
        QVERIFY(std::abs(s.previousToken - tlPrev / total * T / (T - 1)) < 1e-5);
        QVERIFY(std::abs(s.duplicateToken - tlDup / total * T / targetRows) < 1e-5);
        QVERIFY(std::abs(s.induction - tlInd / total * T / targetRows) < 1e-5);
    }

    void thresholdsDecideTheRole() {
        using T = RoleThresholds;
        QCOMPARE(classifyHead(scoresWith(&RoleScores::induction, T::induction)), HeadRole::Induction);
        QCOMPARE(classifyHead(scoresWith(&RoleScores::induction, T::induction - 0.01f)), HeadRole::Mixed);
        QCOMPARE(classifyHead(scoresWith(&RoleScores::previousToken, T::previousToken)),
                 HeadRole::PreviousToken);
        QCOMPARE(classifyHead(scoresWith(&RoleScores::duplicateToken, T::duplicateToken)),
                 HeadRole::DuplicateToken);
        QCOMPARE(classifyHead(scoresWith(&RoleScores::sink, T::sink)), HeadRole::Mixed); // strictly above
        QCOMPARE(classifyHead(scoresWith(&RoleScores::sink, T::sink + 0.01f)), HeadRole::Sink);
        QCOMPARE(classifyHead(scoresWith(&RoleScores::localMass, T::local)), HeadRole::Local);
        QCOMPARE(classifyHead(scoresWith(&RoleScores::normEntropy, T::diffuse)), HeadRole::Diffuse);
        RoleScores both = scoresWith(&RoleScores::induction, 0.5f);
        both.previousToken = 0.9f, both.sink = 0.9f; // the first test in the order wins
        QCOMPARE(classifyHead(both), HeadRole::Induction);
        for (int r = 0; r < kHeadRoleCount; ++r)
            QCOMPARE(parseHeadRole(toString(HeadRole(r))), std::optional<HeadRole>(HeadRole(r)));
    }

    void roleChangesNeedTwoSnapshotsInARow() {
        RoleHistory h;
        h.layers = 2, h.heads = 2;
        using R = HeadRole;
        const std::vector<std::vector<R>> roles{
            {R::Mixed, R::Diffuse, R::Mixed, R::Mixed},   // 0
            {R::Mixed, R::Local, R::Induction, R::Mixed}, // 100: head 2 flickers, head 1 to local (no event)
            {R::PreviousToken, R::Local, R::Mixed, R::Mixed},     // 200
            {R::PreviousToken, R::Local, R::Induction, R::Sink},  // 300
            {R::PreviousToken, R::Local, R::Induction, R::Mixed}, // 400: sink flickers
            {R::Mixed, R::Local, R::Induction, R::Mixed},         // 500: last, unconfirmed
        };
        for (std::size_t k = 0; k < roles.size(); ++k)
            h.steps.push_back(int(k) * 100), h.roles.push_back(roles[k]);
        const auto events = roleChangeEvents(h);
        QCOMPARE(int(events.size()), 2);
        QCOMPARE(events[0].step, 200);
        QCOMPARE(events[0].kind, EventKind::RoleChange);
        QCOMPARE(QString::fromStdString(events[0].message),
                 QStringLiteral("layer 0 head 0 became a previous-token head at step 200"));
        QCOMPARE(events[1].step, 300);
        QCOMPARE(QString::fromStdString(events[1].message),
                 QStringLiteral("layer 1 head 0 became an induction head at step 300"));
        // One more snapshot confirms head 0 losing its role.
        h.steps.push_back(600), h.roles.push_back(roles.back());
        const auto more = roleChangeEvents(h);
        QCOMPARE(int(more.size()), 3);
        QCOMPARE(
            QString::fromStdString(more[2].message),
            QStringLiteral("layer 0 head 0 stopped being a previous-token head at step 500 (now mixed)"));
    }

    void phaseChangeIsTheJointMoveAtTheSharpestIclDrop() {
        std::vector<IclPoint> flat;
        for (int k = 0; k < 20; ++k) flat.push_back({k * 100, -0.05 * (k % 2), 0.05});
        QVERIFY(!detectPhaseChange(flat)); // noise only
        std::vector<IclPoint> p;
        const double icl[] = {0, 0, 0.02, 0, -0.05, -0.1, -0.6, -1.2, -1.3, -1.3, -1.35, -1.3, -1.3};
        const double ind[] = {.02, .02, .03, .03, .05, .08, .2, .45, .6, .65, .7, .7, .7};
        for (int k = 0; k < 13; ++k) p.push_back({k * 100, icl[k], ind[k]});
        const auto e = detectPhaseChange(p);
        QVERIFY(e.has_value());
        QCOMPARE(e->kind, EventKind::PhaseChange);
        QCOMPARE(e->step, 700); // the largest single drop, −0.6 → −1.2
        // ICL falling without the induction score rising (or the reverse) is no phase change.
        for (auto& q : p) q.inductionMax = 0.05;
        QVERIFY(!detectPhaseChange(p));
    }

    void iclPositionsScaleOlssonsFiftiethAndFiveHundredth() {
        const IclPositions p512 = iclPositions(512);
        QCOMPARE(p512.earlyFirst, 39);
        QCOMPARE(p512.earlyLast, 59);
        QCOMPARE(p512.lateFirst, 489);
        QCOMPARE(p512.lateLast, 509);
        const IclPositions p64 = iclPositions(64);
        QCOMPARE(p64.earlyFirst, 4);
        QCOMPARE(p64.earlyLast, 6);
        QCOMPARE(p64.lateFirst, 61);
        QCOMPARE(p64.lateLast, 63);
        // One sequence, V = 2, logits chosen so that the loss of token p is p/100 nats:
        // logZ − logit[x_p] with logit[x] = 0 and logZ = p/100.
        const int T = 64, V = 2;
        std::vector<std::int32_t> inputs(T, 1);
        std::vector<float> logits(std::size_t(T) * V, 0.0f), logZ(T);
        for (int i = 0; i < T; ++i)
            logZ[std::size_t(i)] = float(i + 1) / 100.0f; // row i predicts token i + 1
        const auto [sum, count] = iclSum(inputs.data(), logits.data(), logZ.data(), 1, T, V);
        QCOMPARE(count, 1);
        QVERIFY(std::abs(sum - (62.0 - 5.0) / 100.0) < 1e-6);
    }

    // The shipped runs the lessons open (sample_runs/): the induction run's circuit and phase change
    // (docs/experiments.md §8), the sink pair's sink role. These are the numbers the lessons quote.
    void shippedRunsShowTheirRoles() {
        const auto load = [](const std::string& name) {
            RunReader reader(test::sourceDir() + "/sample_runs/" + name + ".attnrun");
            std::vector<SnapshotPtr> snapshots;
            for (int step : reader.snapshotSteps()) snapshots.push_back(reader.snapshot(step));
            return std::make_tuple(snapshots, reader.steps(), reader.events());
        };
        {
            const auto [snapshots, steps, events] = load("induction");
            const RunRoles roles = analyseRoles(snapshots, steps);
            const RoleHistory& h = roles.history;
            QCOMPARE(h.steps.front(), 0);
            QCOMPARE(h.steps.back(), kShippedSteps);
            for (const RoleScores& s : h.scores.front()) QVERIFY(s.induction < 0.2f); // nothing at step 0
            float induction = 0, previous = 0;
            for (std::size_t k = 0; k < h.scores.back().size(); ++k) {
                if (int(k) >= h.heads)
                    induction = std::max(induction, h.scores.back()[k].induction);
                else
                    previous = std::max(previous, h.scores.back()[k].previousToken);
            }
            QVERIFY2(std::abs(induction - kShippedInduction) < 0.01f, qPrintable(QString::number(induction)));
            QVERIFY2(std::abs(previous - kShippedPreviousToken) < 0.01f,
                     qPrintable(QString::number(previous)));
            // The stored phase change is what the rule finds in the recorded series, and it lies at the
            // largest drop of the ICL score (within 15% of the run's steps).
            std::optional<int> stored;
            for (const Event& e : events)
                if (e.kind == EventKind::PhaseChange) stored = e.step;
            QVERIFY(stored && roles.phaseChange);
            QCOMPARE(roles.phaseChange->step, *stored);
            std::size_t sharpest = 1;
            for (std::size_t k = 1; k < roles.icl.size(); ++k)
                if (roles.icl[k - 1].icl - roles.icl[k].icl >
                    roles.icl[sharpest - 1].icl - roles.icl[sharpest].icl)
                    sharpest = k;
            QVERIFY(std::abs(*stored - roles.icl[sharpest].step) <= 0.15 * kShippedSteps);
            QCOMPARE(*stored, kShippedPhaseStep);
        }
        {
            const auto [snapshots, steps, events] = load("sinks-bigram-backcopy");
            const RoleHistory h = roleHistory(snapshots);
            QCOMPARE(h.roles.front()[0], HeadRole::Diffuse);
            QCOMPARE(h.roles.back()[0], HeadRole::Sink);
            const auto births = roleChangeEvents(h);
            QCOMPARE(int(births.size()), 1);
            QCOMPARE(QString::fromStdString(births[0].message),
                     QStringLiteral("layer 0 head 0 became a sink head at step 200"));
        }
        {
            const auto [snapshots, steps, events] = load("sinks-bigram-backcopy-relu");
            const RoleHistory h = roleHistory(snapshots);
            for (const auto& roles : h.roles) QVERIFY(roles[0] != HeadRole::Sink);
        }
    }

    void scoresAndInductionSnapshotRoundTrip() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/r.attnrun").toStdString();
        auto snap = std::make_shared<ProbeSnapshot>(test::makeSnapshot(40, 2, 2, 6, 1));
        snap->previousToken = {0.9f, 0.1f, 0.2f, 0.3f};
        snap->duplicateToken = {0.0f, 0.1f, 0.2f, 0.3f};
        snap->inductionScore = {0.0f, 0.1f, 0.7f, 0.3f};
        snap->localMass = {1.0f, 0.1f, 0.2f, 0.3f};
        auto induction = std::make_shared<ProbeSnapshot>(test::makeSnapshot(40, 2, 2, 5, 2));
        induction->previousToken = {0.8f, 0.1f, 0.1f, 0.1f};
        induction->duplicateToken = {0.0f, 0.0f, 0.0f, 0.0f};
        induction->inductionScore = {0.0f, 0.0f, 0.9f, 0.1f};
        induction->localMass = {0.9f, 0.1f, 0.2f, 0.3f};
        snap->induction = induction;
        {
            RunWriter w = RunWriter::create(path, test::makeHeader());
            w.appendSnapshot(*snap);
        }
        RunReader r(path);
        const SnapshotPtr back = r.snapshot(40);
        QVERIFY(back && back->induction);
        QCOMPARE(back->previousToken, snap->previousToken);
        QCOMPARE(back->inductionScore, snap->inductionScore);
        QCOMPARE(back->localMass, snap->localMass);
        QCOMPARE(back->induction->length, 5);
        QCOMPARE(back->induction->inductionScore, induction->inductionScore);
        QCOMPARE(back->induction->attention.size(), induction->attention.size());
        for (std::size_t k = 0; k < induction->attention.size(); ++k) // float16 storage
            QVERIFY(std::abs(back->induction->attention[k] - induction->attention[k]) < 1e-3f);
        const auto roles = classifyHeads(roleScores(*back, back->induction.get()));
        QCOMPARE(roles[0], HeadRole::PreviousToken); // 0.8 from the induction probe
        QCOMPARE(roles[2], HeadRole::Induction);
    }
};

QTEST_GUILESS_MAIN(TestHeadRoles)
#include "tst_head_roles.moc"
