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
