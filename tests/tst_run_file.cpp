// The .attnrun store: the float16 / causal-map codec, round trips of every record type, following a run while
// it is written, the recorder, snapshot size on disk, and the documented Python loader. Damage, kill -9 and
// disk-full robustness: tst_run_file_damage.cpp.
#include "core/io/blob_codec.h"
#include "core/io/safetensors.h"
#include "core/store/run_reader.h"
#include "core/store/run_recorder.h"
#include "core/store/run_writer.h"
#include "core/store/sqlite_db.h"
#include "core/util/error.h"
#include "helpers/run_fixtures.h"
#include "helpers/test_paths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <bit>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

using namespace attnscope;
namespace fs = std::filesystem;
using namespace attnscope::test;

namespace {
const float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<std::uint8_t> readFileBytes(const std::string& file, std::size_t count) {
    std::vector<std::uint8_t> bytes(count, 0);
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (f) {
        bytes.resize(std::fread(bytes.data(), 1, count, f));
        std::fclose(f);
    }
    return bytes;
}
} // namespace

class TestRunFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

private slots:
    void halfFloatIsExactForEveryHalf() {
        for (std::uint32_t h = 0; h < 65536; ++h) {
            const float f = blob::halfToFloat(std::uint16_t(h));
            const bool isNaN = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
            QCOMPARE(std::isnan(f), isNaN);
            const std::uint16_t back = blob::floatToHalf(f);
            if (isNaN)
                QVERIFY((back & 0x7C00) == 0x7C00 && (back & 0x3FF) && (back & 0x8000) == (h & 0x8000));
            else
                QCOMPARE(back, std::uint16_t(h));
        }
    }

    void halfFloatRoundsToNearestEven() {
        QCOMPARE(blob::floatToHalf(65504.0f), std::uint16_t(0x7BFF));
        QCOMPARE(blob::floatToHalf(65519.99f), std::uint16_t(0x7BFF));
        QCOMPARE(blob::floatToHalf(65520.0f), std::uint16_t(0x7C00)); // tie → even → inf
        QCOMPARE(blob::floatToHalf(-1e9f), std::uint16_t(0xFC00));
        QCOMPARE(blob::floatToHalf(1.0f + 0x1p-11f), std::uint16_t(0x3C00));     // tie → even (down)
        QCOMPARE(blob::floatToHalf(1.0f + 3 * 0x1p-11f), std::uint16_t(0x3C02)); // tie → even (up)
        QCOMPARE(blob::floatToHalf(0x1p-25f), std::uint16_t(0x0000)); // half the smallest subnormal → 0
        QCOMPARE(blob::floatToHalf(0x1.000002p-25f), std::uint16_t(0x0001));
        QCOMPARE(blob::floatToHalf(0x1p-14f - 0x1p-25f), std::uint16_t(0x0400)); // rounds up into normals
        QCOMPARE(blob::floatToHalf(-0.0f), std::uint16_t(0x8000));
        QVERIFY(std::isnan(viaHalf(kNaN)) && std::isnan(viaHalf(-kNaN)));
        QVERIFY(std::isnan(viaHalf(std::bit_cast<float>(0x7F800001u)))); // payload lost below f16 → still NaN

        std::mt19937 rng(11);
        double worstRelative = 0;
        for (int i = 0; i < 1'000'000; ++i) {
            const float f = std::bit_cast<float>(std::uint32_t(rng()));
            if (std::isnan(f)) continue;
#if defined(__FLT16_MAX__) // the compiler's own conversion is a reference implementation
            QCOMPARE(blob::floatToHalf(f), std::bit_cast<std::uint16_t>(static_cast<_Float16>(f)));
#endif
            const float a = std::fabs(f);
            if (a >= 0x1p-14f && a <= 65504.0f)
                worstRelative = std::max(worstRelative, std::fabs(double(viaHalf(f)) - f) / a);
            else if (a < 0x1p-14f)
                QVERIFY(std::fabs(double(viaHalf(f)) - f) <= 0x1p-25);
        }
        QVERIFY(worstRelative <= 0x1p-11);
    }

    void causalMapsKeepLowerTriangle() {
        const int T = 5;
        std::vector<float> maps(2 * T * T);
        for (std::size_t i = 0; i < maps.size(); ++i) maps[i] = 0.1f * float(i);
        const Bytes packed = blob::packCausalMaps(maps, 2, T);
        const auto back = blob::unpackCausalMaps(packed, 2, T, kNaN, "test");
        for (int m = 0; m < 2; ++m)
            for (int q = 0; q < T; ++q)
                for (int k = 0; k < T; ++k) {
                    const std::size_t i = std::size_t(m * T * T + q * T + k);
                    QVERIFY(k > q ? std::isnan(back[i]) : back[i] == viaHalf(maps[i]));
                }
        QVERIFY_THROWS_EXCEPTION(Error, blob::unpackCausalMaps(packed, 3, T, 0, "test")); // wrong size
        Bytes damaged = packed;
        damaged[damaged.size() / 2] ^= 0x40;
        QVERIFY_THROWS_EXCEPTION(Error, blob::unpackCausalMaps(damaged, 2, T, 0, "test"));
    }

    void roundTripsEveryRecordType() {
        const std::string file = path("roundtrip.attnrun");
        const ProbeSnapshot snap = makeSnapshot(5, 2, 3, 10, 1);
        {
            RunWriter w = RunWriter::create(file, makeHeader());
            std::vector<StepRecord> steps;
            for (int s = 1; s <= 10; ++s) steps.push_back(stepRecord(s));
            w.appendSteps(steps);
            w.appendSnapshot(snap);
            for (EventKind k : {EventKind::NonFinite, EventKind::LossSpike, EventKind::EntropyCollapse,
                                EventKind::LogitExplosion, EventKind::Diverged, EventKind::Note})
                w.appendEvent(Event{3, k, std::string("event ") + toString(k)});
            w.appendEval(EvalRecord{10, 256, "nonoverlapping", 3.25, 25.8, ""});
            w.appendEval(
                EvalRecord{10, 512, "sliding:128", kNotEvaluated, kNotEvaluated, "cannot extrapolate"});
            w.saveCheckpoint(10, checkpointImage(10));
            w.setStatus(RunStatus::Training, 0);
            w.setStatus(RunStatus::Finished, 10, "done");
        }
        RunReader r(file);
        const RunHeader h = r.header(), expected = makeHeader();
        QCOMPARE(h.specJson, expected.specJson);
        QCOMPARE(h.appVersion, std::string(ATTNSCOPE_VERSION));
        QCOMPARE(h.corpusName, expected.corpusName);
        QCOMPARE(h.corpusHash, expected.corpusHash);
        QCOMPARE(h.tokenizerJson, expected.tokenizerJson);
        QCOMPARE(h.probeTokens, expected.probeTokens);
        QCOMPARE(h.probeText, expected.probeText);
        QCOMPARE(h.description, expected.description);
        QVERIFY(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$")
                    .match(QString::fromStdString(h.createdAt))
                    .hasMatch());
        QCOMPARE(r.schemaVersion(), kRunSchemaVersion);

        const auto steps = r.steps();
        QCOMPARE(steps.size(), 10u);
        for (int s = 1; s <= 10; ++s) {
            const StepRecord a = steps[s - 1], b = stepRecord(s);
            QVERIFY(a.step == b.step && a.loss == b.loss && sameFloat(a.valLoss, b.valLoss) && a.lr == b.lr &&
                    a.gradNorm == b.gradNorm && a.tokensPerSec == b.tokensPerSec &&
                    a.elapsedSec == b.elapsedSec && a.scalars == b.scalars);
        }
        QCOMPARE(r.stepsAfter(8).size(), 2u);

        QCOMPARE(r.snapshotSteps(), std::vector<int>{5});
        const SnapshotPtr s = r.snapshot(5);
        QVERIFY(s);
        QVERIFY(s->layers == 2 && s->heads == 3 && s->length == 10 && s->tokens == snap.tokens);
        for (auto member :
             {&ProbeSnapshot::entropy, &ProbeSnapshot::normEntropy, &ProbeSnapshot::maxLogit,
              &ProbeSnapshot::meanRowMax, &ProbeSnapshot::sinkScore, &ProbeSnapshot::meanDistance,
              &ProbeSnapshot::sigmaQK, &ProbeSnapshot::sigmaQ, &ProbeSnapshot::sigmaK,
              &ProbeSnapshot::entropyBound, &ProbeSnapshot::keyProfile, &ProbeSnapshot::importanceEntropy,
              &ProbeSnapshot::sinkNonTrigger, &ProbeSnapshot::topKey, &ProbeSnapshot::topKeyShare,
              &ProbeSnapshot::valueNorm, &ProbeSnapshot::residualNorm})
            QVERIFY(sameFloats((*s).*member, snap.*member));
        QVERIFY(s->sinkRate == snap.sinkRate && s->outLogitMax == snap.outLogitMax &&
                std::isnan(s->meanLogZ));
        QCOMPARE(s->scalarNames, snap.scalarNames);
        QVERIFY(sameFloats(s->scalarValues, snap.scalarValues));
        QCOMPARE(s->attention.size(), snap.attention.size());
        for (std::size_t i = 0; i < snap.attention.size(); ++i) {
            QVERIFY(std::bit_cast<std::uint32_t>(s->attention[i]) ==
                    std::bit_cast<std::uint32_t>(viaHalf(snap.attention[i])));
            QVERIFY(sameFloat(s->logits[i], viaHalf(snap.logits[i])));
        }
        QVERIFY(r.snapshot(6) == nullptr);

        const auto events = r.events();
        QCOMPARE(events.size(), 6u);
        QVERIFY(events[1].kind == EventKind::LossSpike && events[1].message == "event loss_spike" &&
                events[1].step == 3);
        const auto evals = r.evals();
        QCOMPARE(evals.size(), 2u);
        QVERIFY(evals[0].length == 256 && evals[0].mode == "nonoverlapping" && evals[0].loss == 3.25 &&
                evals[0].perplexity == 25.8 && evals[0].step == 10);
        QVERIFY(std::isnan(evals[1].loss) && evals[1].note == "cannot extrapolate" &&
                evals[1].mode == "sliding:128");
        QCOMPARE(r.checkpointSteps(), std::vector<int>{10});
        QCOMPARE(r.checkpoint(10), checkpointImage(10));
        QCOMPARE(SafeTensorsFile::parse(r.checkpoint(10)).metadata.at("step"), std::string("10"));
        QVERIFY_THROWS_EXCEPTION(Error, r.checkpoint(9));
        const StatusRecord status = r.status();
        QVERIFY(status.status == RunStatus::Finished && status.step == 10 && status.message == "done");
        QCOMPARE(r.statusHistory().size(), 3u);
        QVERIFY(r.statusHistory()[0].status == RunStatus::Created);
        QVERIFY(r.verify().empty());
    }

    // The file type is recognisable from the header (shared-mime-info and libmagic read the big-endian word
    // at offset 68), and a file without it, as written before, still opens.
    void newFilesCarryTheApplicationId() {
        const std::string file = path("application_id.attnrun");
        { RunWriter w = RunWriter::create(file, makeHeader()); }
        const auto header = readFileBytes(file, 72);
        QCOMPARE(std::string(header.begin(), header.begin() + 16), std::string("SQLite format 3\0", 16));
        const std::uint32_t id = std::uint32_t(header[68]) << 24 | std::uint32_t(header[69]) << 16 |
                                 std::uint32_t(header[70]) << 8 | std::uint32_t(header[71]);
        QCOMPARE(id, kRunApplicationId);
        {
            sqlite::Database db(file, sqlite::Database::Mode::ReadWrite, "application_id.attnrun");
            db.exec("PRAGMA application_id = 0");
        }
        QCOMPARE(readFileBytes(file, 72)[68], std::uint8_t(0));
        RunReader r(file);
        QCOMPARE(r.header().specJson, makeHeader().specJson);
    }

    void malformedSnapshotsAreRefused() {
        RunWriter w = RunWriter::create(path("refuse.attnrun"), makeHeader());
        ProbeSnapshot bad = makeSnapshot(1, 2, 2, 6, 2);
        bad.entropy.pop_back();
        QVERIFY(errorOf([&] { w.appendSnapshot(bad); }).find("entropy") != std::string::npos);
        bad = makeSnapshot(1, 2, 2, 6, 2);
        bad.attention.resize(7);
        QVERIFY_THROWS_EXCEPTION(Error, w.appendSnapshot(bad));
        bad = makeSnapshot(1, 2, 2, 6, 2);
        bad.scalarValues.pop_back();
        QVERIFY_THROWS_EXCEPTION(Error, w.appendSnapshot(bad));
        ProbeSnapshot mapless = makeSnapshot(2, 2, 2, 6, 2);
        mapless.attention.clear();
        mapless.logits.clear();
        mapless.sigmaQK.clear();
        w.appendSnapshot(mapless);
        RunReader r(path("refuse.attnrun"));
        QCOMPARE(r.snapshotSteps(), std::vector<int>{2});
        QVERIFY(r.snapshot(2)->attention.empty() && r.snapshot(2)->sigmaQK.empty() &&
                r.snapshot(2)->entropy.size() == 4);
    }

    void readerFollowsLiveWriter() {
        const std::string file = path("live.attnrun");
        RunWriter w = RunWriter::create(file, makeHeader());
        RunReader r(file);
        RunCursor cursor;
        RunUpdate u = r.poll(cursor);
        QVERIFY(u.steps.empty() && u.statusChanges.size() == 1 && !u.rewound);
        w.appendSteps({stepRecord(1), stepRecord(2)});
        u = r.poll(cursor);
        QCOMPARE(u.steps.size(), 2u);
        QVERIFY(r.poll(cursor).empty());
        const auto snap = std::make_shared<ProbeSnapshot>(makeSnapshot(3, 1, 2, 8, 3));
        w.write({stepRecord(3), SnapshotPtr(snap), Event{3, EventKind::Note, "hi"},
                 StatusChange{RunStatus::Training, 3, ""},
                 CheckpointSaved{3, std::make_shared<Bytes>(checkpointImage(3))}});
        u = r.poll(cursor);
        QVERIFY(u.steps.size() == 1 && u.steps[0].step == 3 && u.snapshotSteps == std::vector<int>{3} &&
                u.events.size() == 1 && u.statusChanges.size() == 1 &&
                u.checkpointSteps == std::vector<int>{3});
        QVERIFY(r.snapshot(3));
        w.truncateAfter(2); // resume from an earlier point
        u = r.poll(cursor);
        QVERIFY(u.rewound && u.steps.size() == 2 && u.snapshotSteps.empty() && u.checkpointSteps.empty());
        QVERIFY(r.poll(cursor).empty());
        QVERIFY(errorOf([&] { RunWriter::openForAppend(file); }).find("is being written by") !=
                std::string::npos);
        { RunWriter closed = std::move(w); } // one writer per file: the first one ends before a resume
        RunWriter resumed = RunWriter::openForAppend(file);
        resumed.appendSteps({stepRecord(3)});
        QCOMPARE(r.poll(cursor).steps.size(), 1u);
    }

    void recorderDrainsTelemetryAndSurvivesBadMessages() {
        const std::string file = path("recorder.attnrun");
        TelemetryBus bus;
        {
            RunRecorder recorder(bus.subscribe(), RunWriter::create(file, makeHeader()));
            for (int s = 1; s <= 3; ++s) bus.publish(stepRecord(s));
            bus.publish(SnapshotPtr(std::make_shared<ProbeSnapshot>(makeSnapshot(3, 2, 2, 8, 4))));
            bus.publish(Event{2, EventKind::LossSpike, "spike"});
            bus.publish(EvalRecord{3, 64, "nonoverlapping", 2.0, 7.4, ""});
            bus.publish(StatusChange{RunStatus::Training, 0, ""});
            bus.publish(CheckpointSaved{3, std::make_shared<Bytes>(checkpointImage(3))});
            QCOMPARE(recorder.pump(), 8u);
            QVERIFY(recorder.healthy());
            auto bad = std::make_shared<ProbeSnapshot>(makeSnapshot(4, 2, 2, 8, 5));
            bad->entropy.resize(1);
            bus.publish(stepRecord(4));
            bus.publish(SnapshotPtr(bad));
            QCOMPARE(recorder.pump(), 0u);
            QVERIFY(!recorder.healthy() && recorder.error().find("entropy") != std::string::npos);
            // Kept: the step and the event recording the dropped snapshot.
            QVERIFY(recorder.droppedMessages() == 1 && recorder.pendingMessages() == 2);
            QCOMPARE(recorder.pump(), 2u);
            QVERIFY(recorder.healthy());
            bus.publish(StatusChange{RunStatus::Finished, 4, ""}); // written by the destructor's last pump
        }
        RunReader r(file);
        QCOMPARE(r.steps().size(), 4u);
        QCOMPARE(r.snapshotSteps(), std::vector<int>{3});
        QVERIFY(r.status().status == RunStatus::Finished && r.checkpointSteps() == std::vector<int>{3});
        QVERIFY(r.events().back().message.find("recording gap: probe snapshots of steps 4 lost; cause: ") ==
                0);
    }

    void snapshotSizeOnDisk() {
        const std::string file = path("size.attnrun");
        RunWriter::create(file, makeHeader());
        const auto before = fs::file_size(file);
        const ProbeSnapshot snap = makeSnapshot(100, 4, 4, 128, 6);
        const auto start = std::chrono::steady_clock::now();
        RunWriter::openForAppend(file).appendSnapshot(snap); // closing checkpoints the WAL into the file
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        const auto onDisk = fs::file_size(file) - before;
        const auto raw = (snap.attention.size() + snap.logits.size()) * sizeof(float);
        qInfo("snapshot 4 layers x 4 heads x T=128: %llu bytes on disk (dense float32 maps: %llu), written "
              "in %.1f ms",
              (unsigned long long)onDisk, (unsigned long long)raw, ms);
        QVERIFY(onDisk < raw / 3);
        QVERIFY(RunReader(file).snapshot(100)->attention.size() == snap.attention.size());
    }

    void pythonExampleReadsTheRun() {
        QString python;
        for (const QString& candidate :
             {qEnvironmentVariable("ATTNSCOPE_PYTHON"), QString("python3"), QString("/usr/bin/python3")}) {
            if (candidate.isEmpty()) continue;
            QProcess probe;
            probe.start(candidate, {"-c", "import numpy, sqlite3, zlib"});
            if (probe.waitForFinished(20000) && probe.exitStatus() == QProcess::NormalExit &&
                probe.exitCode() == 0) {
                python = candidate;
                break;
            }
        }
        if (python.isEmpty()) QSKIP("no python3 with numpy found");

        const std::string file = path("python.attnrun");
        const ProbeSnapshot snap = makeSnapshot(20, 2, 2, 16, 9);
        double lossSum = 0;
        {
            RunWriter w = RunWriter::create(file, makeHeader());
            for (int s = 1; s <= 20; ++s) {
                w.appendSteps({stepRecord(s)});
                lossSum += stepRecord(s).loss;
            }
            w.appendSnapshot(snap);
        }
        const QString script = QString::fromStdString(test::sourceDir() + "/docs/examples/load_run.py");
        QProcess run;
        run.start(python, {script, QString::fromStdString(file), "--json", "--step", "20", "--layer", "1",
                           "--head", "1"});
        QVERIFY(run.waitForFinished(60000));
        QVERIFY2(run.exitCode() == 0, run.readAllStandardError().constData());
        const QJsonObject out = QJsonDocument::fromJson(run.readAllStandardOutput()).object();
        QCOMPARE(out["steps"].toInt(), 20);
        QCOMPARE(out["val_loss_evaluated"].toInt(), 2);
        QVERIFY(std::fabs(out["loss_sum"].toDouble() - lossSum) < 1e-9);
        QCOMPARE(out["attention_shape"].toArray(), QJsonArray({16, 16}));
        QCOMPARE(out["upper_triangle_max"].toDouble(), 0.0);
        const SnapshotPtr decoded = RunReader(file).snapshot(20);
        const float* head = decoded->map(1, 1);
        double sum = 0;
        for (int i = 0; i < 16 * 16; ++i) sum += head[i];
        QVERIFY(std::fabs(out["attention_sum"].toDouble() - sum) < 1e-9);
        const QJsonArray lastRow = out["attention_last_row"].toArray();
        for (int k = 0; k < 16; ++k) QCOMPARE(float(lastRow[k].toDouble()), head[15 * 16 + k]);

        run.start(python, {script, QString::fromStdString(file)}); // the human-readable summary works too
        QVERIFY(run.waitForFinished(60000) && run.exitCode() == 0);
    }
};

QTEST_GUILESS_MAIN(TestRunFile)
#include "tst_run_file.moc"
