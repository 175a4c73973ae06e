// The .attnrun store: round trips of every record type, the float16 / causal-map codec, following a run
// while it is written, kill -9 and disk-full robustness, and damaged or foreign files (each must open with
// consistent data or throw attnscope::Error, never crash).
#include "core/store/blob_codec.h"
#include "core/store/run_reader.h"
#include "core/store/run_recorder.h"
#include "core/store/run_writer.h"
#include "core/store/safetensors.h"
#include "core/util/error.h"
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
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace attnscope;
namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

RunHeader makeHeader() {
    RunHeader h;
    h.specJson = R"({"name":"unit","model":{"layers":2}})";
    h.corpusName = "fortunes";
    h.corpusHash = "sha256:abc";
    h.tokenizerJson = R"({"kind":"byte"})";
    h.probeTokens = {5, 17, 0, 255};
    h.probeText = "The quick → brown fox";
    h.description = "round trip";
    return h;
}

StepRecord stepRecord(int step) {
    StepRecord r;
    r.step = step;
    r.loss = 4.0 - 0.01 * step;
    r.valLoss = step % 10 == 0 ? 3.5 : kNotEvaluated;
    r.lr = 1e-3;
    r.gradNorm = step == 4 ? INFINITY : 0.5 * step;
    r.tokensPerSec = 1000 + step;
    r.elapsedSec = 0.1 * step;
    return r;
}

// A realistic snapshot: causal softmax maps, odd heads are local (window 4) so the lower triangle has
// masked entries too; metrics random, some NaN.
ProbeSnapshot makeSnapshot(int step, int layers, int heads, int length, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    ProbeSnapshot s;
    s.step = step;
    s.layers = layers;
    s.heads = heads;
    s.length = length;
    for (int t = 0; t < length; ++t) s.tokens.push_back(int(rng() % 256));
    const std::size_t lh = std::size_t(layers) * heads, tt = std::size_t(length) * length;
    for (auto* v : {&s.entropy, &s.normEntropy, &s.maxLogit, &s.meanRowMax, &s.sinkScore, &s.meanDistance,
                    &s.sigmaQK, &s.sigmaQ, &s.sigmaK, &s.entropyBound})
        for (std::size_t i = 0; i < lh; ++i) v->push_back(normal(rng));
    s.entropyBound[0] = kNaN;
    for (std::size_t i = 0; i < lh * length; ++i) s.keyProfile.push_back(normal(rng));
    for (int l = 0; l < layers; ++l) s.importanceEntropy.push_back(normal(rng));
    s.sinkRate = 0.25f;
    s.outLogitMax = 12.5f;
    s.meanLogZ = kNaN;
    s.scalarNames = {"sigma/l0.qkv", "gamma/l0.qkv", "lambda1/l1"};
    s.scalarValues = {1.5f, kNaN, -0.25f};
    s.attention.assign(lh * tt, 0.0f);
    s.logits.assign(lh * tt, kNaN);
    for (std::size_t m = 0; m < lh; ++m) {
        const bool local = m % 2 == 1;
        for (int q = 0; q < length; ++q) {
            float* logit = s.logits.data() + m * tt + std::size_t(q) * length;
            float* attn = s.attention.data() + m * tt + std::size_t(q) * length;
            float sum = 0;
            for (int k = 0; k <= q; ++k)
                if (!local || q - k < 4) sum += attn[k] = std::exp(logit[k] = normal(rng));
            for (int k = 0; k <= q; ++k) attn[k] /= sum;
        }
    }
    return s;
}

bool sameFloat(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}
bool sameFloats(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!sameFloat(a[i], b[i])) return false;
    return true;
}
float viaHalf(float v) {
    return blob::halfToFloat(blob::floatToHalf(v));
}

Bytes checkpointImage(int step) {
    SafeTensorsFile file;
    const std::vector<float> w(64, 0.5f * step);
    file.add("param/w", w.data(), {8, 8});
    file.add("adam_m/w", w.data(), {8, 8});
    file.metadata = {{"spec", "{}"}, {"step", std::to_string(step)}, {"rng", "42"}};
    return file.serialize();
}

Bytes readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void writeBytes(const std::string& path, const Bytes& b, std::size_t n) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(b.data()), std::streamsize(n));
}
void removeRun(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
}
std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

// Opens and reads everything; returns "" when the file reads consistently, else the Error message.
// Any other exception type propagates and fails the test.
std::string readEverything(const std::string& path) {
    return errorOf([&] {
        RunReader r(path);
        const auto steps = r.steps();
        for (std::size_t i = 1; i < steps.size(); ++i)
            if (steps[i].step <= steps[i - 1].step) throw std::logic_error("steps out of order");
        for (int step : r.snapshotSteps()) {
            const SnapshotPtr s = r.snapshot(step);
            // A listed snapshot that a lookup cannot find means a damaged b-tree that SQLite only notices in
            // a full check; verify() must then report it.
            if (!s && r.verify().empty()) throw std::logic_error("listed snapshot is missing");
            if (!s) throw Error("damaged index");
            const std::size_t maps = std::size_t(s->layers) * s->heads * s->length * s->length;
            if ((s->attention.size() != maps && !s->attention.empty()) ||
                s->tokens.size() != std::size_t(s->length) || s->scalarNames.size() != s->scalarValues.size())
                throw std::logic_error("inconsistent snapshot");
        }
        for (int step : r.checkpointSteps()) SafeTensorsFile::parse(r.checkpoint(step));
        r.events();
        r.evals();
        r.statusHistory();
        r.status();
        RunCursor cursor;
        r.poll(cursor);
        r.verify();
    });
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
                    a.elapsedSec == b.elapsedSec);
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
              &ProbeSnapshot::entropyBound, &ProbeSnapshot::keyProfile, &ProbeSnapshot::importanceEntropy})
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
            QVERIFY(recorder.droppedMessages() == 1 && recorder.pendingMessages() == 1);
            QCOMPARE(recorder.pump(), 1u);
            QVERIFY(recorder.healthy());
            bus.publish(StatusChange{RunStatus::Finished, 4, ""}); // written by the destructor's last pump
        }
        RunReader r(file);
        QCOMPARE(r.steps().size(), 4u);
        QCOMPARE(r.snapshotSteps(), std::vector<int>{3});
        QVERIFY(r.status().status == RunStatus::Finished && r.checkpointSteps() == std::vector<int>{3});
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

    void killedWriterLeavesConsistentPrefix() {
        const std::string file = path("killed.attnrun");
        const pid_t child = fork();
        if (child == 0) { // writes until killed; never returns into Qt Test
            try {
                RunWriter w = RunWriter::create(file, makeHeader());
                for (int s = 1;; ++s) {
                    w.appendSteps({stepRecord(s)});
                    if (s % 10 == 0) w.appendSnapshot(makeSnapshot(s, 2, 2, 8, unsigned(s)));
                }
            } catch (...) {
                _exit(3);
            }
        }
        QVERIFY(child > 0);
        // Read concurrently from this process while the child writes.
        std::size_t seen = 0;
        for (int i = 0; i < 2000 && seen < 60; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            if (fs::exists(file) && readEverything(file).empty()) seen = RunReader(file).steps().size();
        }
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        QVERIFY2(WIFSIGNALED(status), "the writer child stopped by itself");
        QVERIFY(seen >= 60);

        QCOMPARE(readEverything(file), std::string());
        RunReader r(file);
        const auto steps = r.steps();
        QVERIFY(steps.size() >= seen);
        for (std::size_t i = 0; i < steps.size(); ++i)
            QVERIFY(steps[i].step == int(i) + 1 && steps[i].loss == stepRecord(int(i) + 1).loss);
        for (int s : r.snapshotSteps()) QVERIFY(s % 10 == 0 && s <= steps.back().step);
        QVERIFY(r.verify().empty());
        RunWriter::openForAppend(file).appendSteps({stepRecord(int(steps.size()) + 1)});
        QCOMPARE(RunReader(file).steps().size(), steps.size() + 1);
    }

    void diskFullIsReportedNotThrown() {
        const std::string file = path("full.attnrun");
        const pid_t child = fork();
        if (child == 0) { // RLIMIT_FSIZE makes writes fail like a full disk; isolate it in a child
            const auto check = [](bool ok, int code, const std::string& what) {
                if (!ok) {
                    fprintf(stderr, "disk-full child: %s\n", what.c_str());
                    _exit(code);
                }
            };
            try {
                signal(SIGXFSZ, SIG_IGN);
                TelemetryBus bus;
                RunRecorder recorder(bus.subscribe(), RunWriter::create(file, makeHeader()));
                rlimit saved{}, limited{};
                getrlimit(RLIMIT_FSIZE, &saved);
                limited = saved;
                limited.rlim_cur = std::max(fs::file_size(file), fs::file_size(file + "-wal")) + 8192;
                setrlimit(RLIMIT_FSIZE, &limited);
                bus.publish(stepRecord(1));
                bus.publish(SnapshotPtr(std::make_shared<ProbeSnapshot>(makeSnapshot(1, 2, 2, 64, 7))));
                bus.publish(CheckpointSaved{1, std::make_shared<Bytes>(Bytes(1 << 20, 7))});
                check(recorder.pump() == 0, 4, "pump succeeded past the size limit");
                check(!recorder.healthy(), 5, "recorder claims to be healthy");
                check(recorder.error().find("disk is full") != std::string::npos ||
                          recorder.error().find("input/output") != std::string::npos,
                      6, recorder.error());
                check(recorder.droppedMessages() == 1 && recorder.pendingMessages() == 2, 7,
                      "wrong retry policy");
                setrlimit(RLIMIT_FSIZE, &saved);
                check(recorder.pump() == 2 && recorder.healthy(), 8, recorder.error());
            } catch (const std::exception& e) {
                check(false, 9, e.what());
            }
            _exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
        RunReader r(file);
        QVERIFY(r.steps().size() == 1 && r.checkpointSteps().size() == 1 && r.snapshotSteps().empty());
    }

    void createFailsClearly() {
        const std::string file = path("exists.attnrun");
        RunWriter::create(file, makeHeader()).appendSteps({stepRecord(1)});
        QVERIFY(errorOf([&] { RunWriter::create(file, makeHeader()); }).find("already exists") !=
                std::string::npos);
        RunWriter::create(file, makeHeader(), RunWriter::IfExists::Overwrite);
        QVERIFY(RunReader(file).steps().empty());

        QVERIFY(errorOf([&] {
                    RunWriter::create(path("no/such/dir/x.attnrun"), {});
                }).find("does not exist") != std::string::npos);
        std::ofstream(path("plain.txt")) << "x";
        QVERIFY(errorOf([&] { RunWriter::create(path("plain.txt/x.attnrun"), {}); }).find("not a folder") !=
                std::string::npos);
        if (geteuid() != 0) { // root may write anywhere
            fs::create_directory(path("locked"));
            fs::permissions(path("locked"), fs::perms::owner_read | fs::perms::owner_exec);
            QVERIFY(errorOf([&] { RunWriter::create(path("locked/x.attnrun"), {}); }).find("not writable") !=
                    std::string::npos);
            fs::permissions(path("locked"), fs::perms::owner_all);
        }
        QVERIFY_THROWS_EXCEPTION(Error, RunWriter::openForAppend(path("missing.attnrun")));
    }

    void foreignFilesAreRefusedWithClearMessages() {
        const auto expectError = [](const std::string& file, const char* phrase) {
            const std::string message = errorOf([&] { RunReader r(file); });
            QVERIFY2(message.find(phrase) != std::string::npos, message.c_str());
        };
        expectError(path("missing.attnrun"), "does not exist");
        expectError(m_dir.path().toStdString(), "is a folder");
        std::ofstream(path("empty.attnrun"));
        expectError(path("empty.attnrun"), "(it is empty)");
        std::ofstream(path("text.attnrun")) << "hello, this is not a database at all, just some text\n";
        expectError(path("text.attnrun"), "not a SQLite database");
        const auto rawSql = [](const std::string& file, const char* sql) {
            sqlite3* db = nullptr;
            sqlite3_open(file.c_str(), &db);
            QCOMPARE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(db);
        };
        rawSql(path("foreign.attnrun"), "CREATE TABLE photos (id INTEGER PRIMARY KEY, data BLOB)");
        expectError(path("foreign.attnrun"), "without AttnScope tables");
        rawSql(path("other.attnrun"),
               "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('app','x')");
        expectError(path("other.attnrun"), "another program");

        const std::string newer = path("newer.attnrun");
        RunWriter::create(newer, makeHeader());
        rawSql(newer, "UPDATE meta SET value = '3' WHERE key IN ('schema_version', 'min_reader_schema')");
        expectError(newer, "newer AttnScope (schema 3; this version reads up to 1)");
        QVERIFY_THROWS_EXCEPTION(Error, RunWriter::openForAppend(newer));
        // A newer schema that declares itself readable by version-1 readers opens, but is not appended to.
        rawSql(newer, "UPDATE meta SET value = '1' WHERE key = 'min_reader_schema'");
        QCOMPARE(RunReader(newer).header().corpusName, makeHeader().corpusName);
        QVERIFY(errorOf([&] { RunWriter::openForAppend(newer); }).find("not add to it") != std::string::npos);
    }

    void damagedCopiesNeverCrash() {
        const std::string base = path("base.attnrun");
        {
            RunWriter w = RunWriter::create(base, makeHeader());
            for (int s = 1; s <= 40; ++s) w.appendSteps({stepRecord(s)});
            for (int s : {10, 20, 30}) w.appendSnapshot(makeSnapshot(s, 2, 2, 12, unsigned(s)));
            for (int i = 0; i < 5; ++i) w.appendEvent(Event{i, EventKind::Note, "note"});
            w.appendEval(EvalRecord{40, 64, "nonoverlapping", 2.0, 7.4, ""});
            w.saveCheckpoint(40, checkpointImage(40));
            w.setStatus(RunStatus::Finished, 40);
        }
        QCOMPARE(readEverything(base), std::string());
        const Bytes original = readBytes(base);
        const std::string copy = path("damaged.attnrun");
        int rejected = 0, opened = 0;
        const auto tryCopy = [&](const Bytes& bytes, std::size_t n) {
            removeRun(copy);
            writeBytes(copy, bytes, n);
            const std::string outcome = readEverything(copy);
            (outcome.empty() ? opened : rejected)++;
        };
        std::vector<std::size_t> cuts{1, 15, 16, 99, 100, 101, 511, 512, 4095, 4096, 4097};
        for (int k = 1; k < 60; ++k) cuts.push_back(original.size() * std::size_t(k) / 60);
        for (std::size_t n : cuts) tryCopy(original, n);
        qInfo("truncated copies: %d opened consistently, %d rejected", opened, rejected);
        // ATTNSCOPE_FUZZ_SEED / ATTNSCOPE_FUZZ_ITERATIONS allow a longer local fuzzing session.
        std::mt19937 rng(qEnvironmentVariableIsSet("ATTNSCOPE_FUZZ_SEED")
                             ? qEnvironmentVariableIntValue("ATTNSCOPE_FUZZ_SEED")
                             : 1234);
        const int iterations = qEnvironmentVariableIsSet("ATTNSCOPE_FUZZ_ITERATIONS")
                                   ? qEnvironmentVariableIntValue("ATTNSCOPE_FUZZ_ITERATIONS")
                                   : 200;
        for (int i = 0; i < iterations; ++i) {
            Bytes bytes = original;
            const int flips = 1 + int(rng() % 4);
            for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] ^= std::uint8_t(1 + rng() % 255);
            tryCopy(bytes, bytes.size());
        }
        qInfo("damaged copies: %d opened consistently, %d rejected with attnscope::Error", opened, rejected);
        QVERIFY(rejected > 0);
        removeRun(copy);
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
