// Robustness of the .attnrun store: a writer killed with SIGKILL, a full disk, files that cannot be created,
// foreign files and damaged copies — each must open with consistent data or throw attnscope::Error with a
// clear message, never crash.
#include "core/store/run_reader.h"
#include "core/store/run_recorder.h"
#include "core/store/run_writer.h"
#include "core/util/error.h"
#include "helpers/run_fixtures.h"
#include "helpers/test_paths.h"

#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
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
using namespace attnscope::test;

class TestRunFileDamage : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

private slots:
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
                // Kept: the step, the newest checkpoint and the event that records the lost snapshot.
                check(recorder.droppedMessages() == 1 && recorder.pendingMessages() == 3, 7,
                      "wrong retry policy");
                setrlimit(RLIMIT_FSIZE, &saved);
                check(recorder.pump() == 3 && recorder.healthy(), 8, recorder.error());
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
        // The gap is in the file: which snapshot was lost, and why.
        const std::vector<Event> events = r.events();
        QCOMPARE(events.size(), 1u);
        QCOMPARE(events[0].step, 1);
        QVERIFY2(events[0].message.find("recording gap: probe snapshots of steps 1 lost; cause: ") == 0,
                 events[0].message.c_str());
    }

    void storedSpecIsValidated() {
        const std::string file = path("badspec.attnrun");
        RunWriter::create(file, makeHeader());
        sqlite3* db = nullptr;
        sqlite3_open(file.c_str(), &db);
        QCOMPARE(sqlite3_exec(db, R"(UPDATE run SET spec_json = '{"name":"x","model":{"heads":0}}')", nullptr,
                              nullptr, nullptr),
                 SQLITE_OK);
        sqlite3_close(db);
        const std::string message = errorOf([&] { RunReader r(file); });
        QVERIFY2(message.find(
                     "is damaged: its stored run configuration is invalid (heads must be between 1 and 64") !=
                     std::string::npos,
                 message.c_str());
    }

    void unknownEventKindsAndStatusesAreShownNotRefused() {
        const std::string file = path("newer-kinds.attnrun");
        {
            RunWriter w = RunWriter::create(file, makeHeader());
            w.appendEvent(Event{2, EventKind::LossSpike, "spike"});
        }
        sqlite3* db = nullptr;
        sqlite3_open(file.c_str(), &db);
        QCOMPARE(
            sqlite3_exec(db,
                         "INSERT INTO events (step, kind, message) VALUES (3, 'sink_formed', 'head 1.0'); "
                         "INSERT INTO status_history (step, status, message, at) VALUES "
                         "(4, 'hibernating', 'by a newer writer', '2026-01-01T00:00:00Z')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
        sqlite3_close(db);
        RunReader r(file);
        const std::vector<Event> events = r.events();
        QCOMPARE(events.size(), 2u);
        QCOMPARE(events[0].kindName(), std::string("loss_spike"));
        QCOMPARE(events[1].kind, EventKind::Unknown);
        QCOMPARE(events[1].kindName(), std::string("sink_formed"));
        QCOMPARE(r.status().status, RunStatus::Unknown);
        QCOMPARE(r.status().statusName(), std::string("hibernating"));
        RunCursor cursor;
        QCOMPARE(r.poll(cursor).events.size(), 2u);
        // A writer that continues such a file keeps the names as they are.
        RunWriter::openForAppend(file).appendEvent(events[1]);
        QCOMPARE(RunReader(file).events().back().kindName(), std::string("sink_formed"));
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
        rawSql(newer, "UPDATE meta SET value = '4' WHERE key IN ('schema_version', 'min_reader_schema')");
        expectError(newer, "newer AttnScope (schema 4; this version reads up to 3)");
        QVERIFY_THROWS_EXCEPTION(Error, RunWriter::openForAppend(newer));
        // A newer schema that declares itself readable by version-1 readers opens, but is not appended to.
        rawSql(newer, "UPDATE meta SET value = '1' WHERE key = 'min_reader_schema'");
        QCOMPARE(RunReader(newer).header().corpusName, makeHeader().corpusName);
        QVERIFY(errorOf([&] { RunWriter::openForAppend(newer); }).find("not add to it") != std::string::npos);
    }

    // A 100,000-deep spec_json overflowed the stack of every reader (parse, then dump and recursive walks).
    void deeplyNestedSpecIsRefusedNotRecursed() {
        const std::string file = path("deep.attnrun");
        RunWriter::create(file, makeHeader());
        sqlite3* db = nullptr;
        sqlite3_open(file.c_str(), &db);
        const std::string deep(100000, '[');
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, "UPDATE run SET spec_json = ?", -1, &st, nullptr);
        sqlite3_bind_text(st, 1, deep.c_str(), int(deep.size()), SQLITE_TRANSIENT);
        QCOMPARE(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
        sqlite3_close(db);
        const std::string message = errorOf([&] { RunReader r(file); });
        QVERIFY2(message.find("deeper than 64 levels") != std::string::npos, message.c_str());
    }

    // Dimensions damaged to claim huge maps: the blob behind them inflates to what it really holds, so
    // decoding fails having allocated little more than that (it preallocated the claimed size before).
    void damagedDimensionsCostNoMoreMemoryThanTheData() {
        const std::string file = path("dims.attnrun");
        {
            RunWriter w = RunWriter::create(file, makeHeader());
            w.appendSnapshot(makeSnapshot(10, 2, 2, 512, 7));
        }
        // Only the maps stay (every other array is optional), and `heads` grows until the claimed maps
        // need ~90% of what the 1100:1 deflate bound lets that blob claim: several hundred MB.
        sqlite3* db = nullptr;
        sqlite3_open(file.c_str(), &db);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, "SELECT length(attention) FROM snapshots", -1, &st, nullptr);
        QCOMPARE(sqlite3_step(st), SQLITE_ROW);
        const std::int64_t packed = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        const std::int64_t perHead = 2 * std::int64_t(512 * 513 / 2) * 2; // 2 layers, float16 triangles
        const std::int64_t heads = (packed + 64) * 1100 * 9 / 10 / perHead;
        QVERIFY(heads * perHead > (400ll << 20));
        std::string sql =
            "UPDATE snapshots SET heads = " + std::to_string(heads) + ", logits = NULL, tokens = NULL";
        for (const char* c :
             {"entropy", "norm_entropy", "max_logit", "mean_row_max", "sink_score", "mean_distance",
              "sigma_qk", "sigma_q", "sigma_k", "entropy_bound", "key_profile", "importance_entropy",
              "sink_non_trigger", "top_key", "top_key_share", "value_norm", "residual_norm"})
            sql += std::string(", ") + c + " = NULL";
        QCOMPARE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
        const pid_t child = fork();
        if (child == 0) { // 250 MB of address space beyond what the process has: less than the claim
            std::ifstream status("/proc/self/status");
            std::string line;
            unsigned long long vmKb = 0;
            while (std::getline(status, line))
                if (line.rfind("VmSize:", 0) == 0) vmKb = std::stoull(line.substr(7));
            const rlimit limit{(vmKb << 10) + (250ull << 20), (vmKb << 10) + (250ull << 20)};
            setrlimit(RLIMIT_AS, &limit);
            try {
                RunReader(file).snapshot(10);
            } catch (const Error& e) {
                _exit(std::string(e.what()).find("is damaged") != std::string::npos ? 0 : 2);
            } catch (...) {
                _exit(3); // std::bad_alloc: the claimed size was allocated up front
            }
            _exit(4);
        }
        int status = 0;
        waitpid(child, &status, 0);
        QVERIFY2(WIFEXITED(status), "the reader was killed");
        QCOMPARE(WEXITSTATUS(status), 0);
    }

    // Readers create no -wal/-shm beside a run they only read; a killed run whose rows are only in its
    // -wal reads without its -shm; a file read as immutable is reopened once a writer appears.
    void readersLeaveNoFilesAndReadAKilledWal() {
        const std::string file = path("quiet.attnrun");
        {
            RunWriter w = RunWriter::create(file, makeHeader());
            w.appendSteps({stepRecord(1)});
        }
        QVERIFY(!fs::exists(file + "-wal") && !fs::exists(file + "-shm"));
        RunReader follower(file);
        QCOMPARE(readEverything(file), std::string());
        QVERIFY2(!fs::exists(file + "-wal") && !fs::exists(file + "-shm"), "a reader created -wal/-shm");
        RunCursor cursor;
        QCOMPARE(follower.poll(cursor).steps.size(), std::size_t(1));
        {
            RunWriter w = RunWriter::openForAppend(file);
            w.appendSteps({stepRecord(2)});
            const RunUpdate update = follower.poll(cursor); // it had opened the file as immutable
            QCOMPARE(update.steps.size(), std::size_t(1));
            QVERIFY(RunReader(file).hasLiveWriter());
        }
        QVERIFY(!RunReader(file).hasLiveWriter());

        const std::string killed = path("killed-wal.attnrun");
        const pid_t child = fork();
        if (child == 0) {
            try {
                RunWriter w = RunWriter::create(killed, makeHeader());
                for (int s = 1; s <= 30; ++s) w.appendSteps({stepRecord(s)});
                w.setStatus(RunStatus::Training, 30);
                ::kill(::getpid(), SIGKILL);
            } catch (...) {
            }
            _exit(3);
        }
        int status = 0;
        waitpid(child, &status, 0);
        QVERIFY(WIFSIGNALED(status));
        QVERIFY(fs::file_size(killed + "-wal") > 0);
        fs::remove(killed + "-shm"); // as on a read-only mount that never had it
        RunReader reader(killed);
        QCOMPARE(reader.steps().size(), std::size_t(30));
        QVERIFY(!reader.hasLiveWriter());
        QVERIFY2(!fs::exists(killed + "-shm"), "the reader created a -shm beside the killed run");
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
};

QTEST_GUILESS_MAIN(TestRunFileDamage)
#include "tst_run_file_damage.moc"
