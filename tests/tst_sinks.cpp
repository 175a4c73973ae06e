// Attention sinks and the toggles that remove them: ReLU attention's defining property,
// the extreme-token metrics (non-trigger sink score, top key, value-state and residual norms) on maps and
// models where their values are known, and their storage, also in a schema-1 run file that a resume upgrades.
#include "core/model/model.h"
#include "core/nn/attention.h"
#include "core/probe/metrics.h"
#include "core/probe/probe.h"
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/store/sqlite_db.h"
#include "helpers/run_fixtures.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace attnscope;
using namespace attnscope::nn;

class TestSinks : public QObject {
    Q_OBJECT
private slots:
    // A_ij = relu(q_i·k_j/√D − m(i − j))/n_i exactly, for global and local heads, with and without ALiBi.
    void reluAttentionIsReluOverVisibleKeys() {
        const AttentionShape shape{2, 9, 3, 4};
        const std::vector<HeadSpec> heads{{0, 0, true}, {4, 0, true}, {0, 0.5, true}};
        const AttentionLayout layout(shape, heads);
        const std::size_t n = std::size_t(shape.B) * shape.T * shape.C();
        Rng rng(21);
        std::vector<double> q(n), k(n), v(n), out(n), probs(layout.size()),
            dense(std::size_t(shape.T) * shape.T);
        for (auto* x : {&q, &k, &v})
            for (double& e : *x) e = rng.normal();
        attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), layout);
        int positive = 0, zero = 0;
        for (int b = 0; b < shape.B; ++b)
            for (int h = 0; h < shape.H; ++h) {
                attention_dense(dense.data(), probs.data(), layout, b, h);
                for (int i = 0; i < shape.T; ++i) {
                    const int w = heads[std::size_t(h)].window, nVis = w > 0 ? std::min(w, i + 1) : i + 1;
                    for (int j = 0; j < shape.T; ++j) {
                        double expected = 0;
                        if (j <= i && i - j < nVis) {
                            double s = 0;
                            for (int d = 0; d < shape.D; ++d)
                                s += q[(std::size_t(b) * shape.T + i) * shape.C() + h * shape.D + d] *
                                     k[(std::size_t(b) * shape.T + j) * shape.C() + h * shape.D + d];
                            s = s / 2.0 - heads[std::size_t(h)].slope * (i - j);
                            expected = std::max(s, 0.0) / nVis;
                        }
                        const double a = dense[std::size_t(i) * shape.T + j];
                        QVERIFY(std::abs(a - expected) < 1e-12);
                        (expected > 0 ? positive : zero) += j <= i;
                    }
                }
            }
        QVERIFY(positive > 20 && zero > 20); // both sides of the kink are exercised
    }

    // Without a softmax a query can attend to nothing: all scores ≤ 0 give an exactly zero output (a softmax
    // head would have to put its mass somewhere, the sink's origin).
    void reluHeadCanAttendToNothing() {
        const AttentionShape shape{1, 5, 1, 2};
        const std::size_t n = std::size_t(shape.T) * shape.C();
        std::vector<double> q(n, 0.0), k(n, 1.0), v(n, 3.0), out(n), probs(std::size_t(shape.T) * shape.T);
        attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(),
                          AttentionLayout(shape, {{0, 0.5, true}}));
        for (double o : out) QCOMPARE(o, 0.0);
        attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(),
                          AttentionLayout(shape, {{0, 0.5, false}}));
        for (double o : out) QVERIFY(std::abs(o - 3.0) < 1e-12); // softmax: rows sum to one
    }

    // Maps with a known answer: non-trigger queries on key 0 (the sink), trigger queries on their previous
    // token; a sink on key 2 is found by topKey although α₁ misses it.
    void sinkMetricsOnKnownMaps() {
        const int T = 8;
        std::vector<float> A(T * T, 0.0f);
        std::vector<bool> dormant(T, true);
        dormant[0] = false;
        for (int i : {3, 6}) dormant[std::size_t(i)] = false; // triggers
        for (int i = 0; i < T; ++i) {
            if (i == 0) {
                A[0] = 1;
            } else if (!dormant[std::size_t(i)]) {
                A[std::size_t(i) * T + i - 1] = 1;
            } else {
                A[std::size_t(i) * T] = 0.9f, A[std::size_t(i) * T + i] = 0.1f;
            }
        }
        SinkMetrics m = sinkMetrics(A.data(), T, 0, dormant);
        QVERIFY(std::abs(m.sinkNonTrigger - 0.9f) < 1e-6);
        QCOMPARE(m.topKey, 0);
        QVERIFY(std::abs(m.topKeyShare - (1 + 5 * 0.9f) / T) < 1e-6);
        // Everything moved to key 2 (rows ≥ 2): α on key 0 is small, the top key says where the sink went.
        std::fill(A.begin(), A.end(), 0.0f);
        for (int i = 0; i < T; ++i) A[std::size_t(i) * T + std::min(i, 2)] = 1;
        m = sinkMetrics(A.data(), T, 0, dormant);
        QCOMPARE(m.topKey, 2);
        QVERIFY(std::abs(m.topKeyShare - 6.0f / T) < 1e-6);
        QCOMPARE(m.sinkNonTrigger, 0.0f);
        // A local head whose window hides key 0 from late queries counts only those that see it.
        m = sinkMetrics(A.data(), T, 3, dormant);
        QVERIFY(std::abs(m.sinkNonTrigger - 0.0f) < 1e-6);
    }

    // On a real model: value norms equal ‖v_j W_o^h‖ computed directly, residual norms the rows of the
    // stream, and sinkNonTrigger leaves trigger queries out.
    void probeComputesExtremeTokenMetrics() {
        ModelConfig c;
        c.layers = 2, c.heads = 2, c.dModel = 8, c.context = 10, c.vocab = 9;
        Model<float> model(c);
        Rng rng(5);
        model.initialize(rng);
        for (float& p : model.params) p += float(0.2 * rng.normal()); // away from the near-uniform init
        Workspace<float> ws(c, 1, 10);
        const std::vector<std::int32_t> probe{1, 4, 2, 7, 2, 3, 8, 2, 5, 6};
        ProbeExtras none, triggers;
        triggers.triggers = {2};
        const SnapshotPtr all = takeSnapshot(model, ws, probe, 0, none);
        const SnapshotPtr some = takeSnapshot(model, ws, probe, 0, triggers);
        const int T = 10, D = 4, C = 8;
        QCOMPARE(all->valueNorm.size(), std::size_t(2 * 2 * T));
        QCOMPARE(all->residualNorm.size(), std::size_t(3 * T));
        for (int l = 0; l < 2; ++l)
            for (int h = 0; h < 2; ++h) {
                const std::size_t idx = all->headIndex(l, h);
                const float* A = all->map(l, h);
                double expectAll = 0, expectSome = 0;
                int nSome = 0;
                for (int i = 1; i < T; ++i) {
                    expectAll += A[std::size_t(i) * T] / (T - 1);
                    if (probe[std::size_t(i)] != 2) expectSome += A[std::size_t(i) * T], ++nSome;
                }
                QVERIFY(std::abs(all->sinkNonTrigger[idx] - expectAll) < 1e-5);
                QVERIFY(std::abs(some->sinkNonTrigger[idx] - expectSome / nSome) < 1e-5);
                QVERIFY(all->topKey[idx] >= 0 && all->topKey[idx] < T);
                // ‖v_j^h W_o^h‖ by hand, with the layer's values of a fresh forward.
                model.forward(ws, probe.data(), nullptr);
                const float* Wo = model.weight(model.layout().layers[std::size_t(l)].projW);
                for (int j = 0; j < T; ++j) {
                    double norm2 = 0;
                    for (int o = 0; o < C; ++o) {
                        double y = 0;
                        for (int d = 0; d < D; ++d)
                            y += double(ws.layers[std::size_t(l)].vAtt[std::size_t(j) * C + h * D + d]) *
                                 Wo[std::size_t(h * D + d) * C + o];
                        norm2 += y * y;
                    }
                    QVERIFY(std::abs(all->valueNorm[idx * T + j] - std::sqrt(norm2)) < 1e-5);
                }
            }
        for (int j = 0; j < T; ++j) {
            double e = 0, f = 0;
            for (int d = 0; d < C; ++d)
                e += std::pow(ws.layers[0].xIn[std::size_t(j) * C + d], 2),
                    f += std::pow(ws.xFinal[std::size_t(j) * C + d], 2);
            QVERIFY(std::abs(all->residualNorm[std::size_t(j)] - std::sqrt(e)) < 1e-5);
            QVERIFY(std::abs(all->residualNorm[std::size_t(2 * T + j)] - std::sqrt(f)) < 1e-5);
        }
    }

    // A schema-1 file (no step_scalars, no extreme-token columns) still reads, with those arrays empty;
    // resuming it upgrades it to the current schema, readable by schema-1 readers (min_reader_schema 1).
    void schemaOneRunsReadAndUpgrade() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("old.attnrun").toStdString();
        {
            RunWriter w = RunWriter::create(path, test::makeHeader());
            w.appendSteps({test::stepRecord(3)});
            w.appendSnapshot(test::makeSnapshot(3, 1, 2, 6, 1u));
        }
        {
            sqlite::Database db(path, sqlite::Database::Mode::ReadWrite, path);
            QCOMPARE(db.queryText("SELECT value FROM meta WHERE key = 'min_reader_schema'"),
                     std::string("1"));
            db.exec("DROP TABLE step_scalars");
            db.exec("DROP TABLE induction_snapshots");
            for (const char* c :
                 {"sink_non_trigger", "top_key", "top_key_share", "value_norm", "residual_norm",
                  "previous_token", "duplicate_token", "induction_score", "local_mass"})
                db.exec(std::string("ALTER TABLE snapshots DROP COLUMN ") + c);
            db.exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'");
        }
        {
            RunReader r(path);
            QCOMPARE(r.schemaVersion(), 1);
            QVERIFY(r.steps().at(0).scalars.empty());
            const SnapshotPtr s = r.snapshot(3);
            QVERIFY(s && s->valueNorm.empty() && s->residualNorm.empty() && s->entropy.size() == 2);
        }
        {
            RunWriter w = RunWriter::openForAppend(path);
            StepRecord r = test::stepRecord(6);
            w.appendSteps({r});
            w.appendSnapshot(test::makeSnapshot(6, 1, 2, 6, 2u));
        }
        RunReader r(path);
        QCOMPARE(r.schemaVersion(), kRunSchemaVersion);
        QCOMPARE(r.steps().back().scalars, test::stepRecord(6).scalars);
        QCOMPARE(r.snapshot(6)->valueNorm.size(), std::size_t(2 * 6));
        QVERIFY(r.snapshot(3)->valueNorm.empty());
    }
};

QTEST_GUILESS_MAIN(TestSinks)
#include "tst_sinks.moc"
