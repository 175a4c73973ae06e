#include "core/store/run_writer.h"

#include "core/store/run_schema.h"
#include "core/store/snapshot_codec.h"
#include "core/store/sqlite_db.h"
#include "core/util/error.h"

#include <filesystem>
#include <optional>
#include <type_traits>
#include <unistd.h>
#include <variant>
#include <zlib.h>

namespace attnscope {

namespace fs = std::filesystem;

namespace {

void configureForWriting(sqlite::Database& db) {
    // WAL: commits are atomic appends to the -wal file, so a kill mid-write loses only the open
    // transaction, and readers never block the writer. NORMAL sync is durable against process death (not
    // power loss of the last commits), which is the trade-off a training log wants.
    if (db.queryText("PRAGMA journal_mode = WAL") != "wal")
        throw Error("Cannot write to " + db.displayName() +
                    ": the file system does not support SQLite's WAL mode.");
    db.exec("PRAGMA synchronous = NORMAL");
    // Checkpoint blobs can be tens of MB; don't let the -wal file keep that size after each checkpoint.
    db.exec("PRAGMA journal_size_limit = 67108864");
}

void checkCanCreate(const std::string& path, RunWriter::IfExists ifExists) {
    const fs::path parent = fs::path(path).parent_path();
    const fs::path folder = parent.empty() ? fs::path(".") : parent;
    std::error_code ec;
    if (!fs::exists(folder, ec))
        throw Error("Cannot create " + path + ": the folder " + folder.string() + " does not exist.");
    if (!fs::is_directory(folder, ec))
        throw Error("Cannot create " + path + ": " + folder.string() + " is not a folder.");
    if (::access(folder.c_str(), W_OK) != 0)
        throw Error("Cannot create " + path + ": the folder " + folder.string() + " is not writable.");
    if (fs::is_directory(path, ec))
        throw Error("Cannot create " + path + ": a folder with that name exists.");
    if (fs::exists(path, ec) && ifExists == RunWriter::IfExists::Fail)
        throw Error(path + " already exists. Choose another name, or allow overwriting it.");
    // (Both checks are repeated atomically by WriterLock::create; these give the clearer messages first.)
}

void insertSteps(sqlite::Database& db, const std::vector<StepRecord>& steps) {
    if (steps.empty()) return;
    sqlite::Statement s(db,
                        "INSERT OR REPLACE INTO steps (step, loss, val_loss, lr, grad_norm, tokens_per_sec, "
                        "elapsed_sec, ce_loss) VALUES (?,?,?,?,?,?,?,?)");
    for (const StepRecord& r : steps) {
        s.bind(1, std::int64_t(r.step)).bind(2, r.loss).bind(3, r.valLoss).bind(4, r.lr).bind(5, r.gradNorm);
        s.bind(6, r.tokensPerSec).bind(7, r.elapsedSec).bind(8, r.ceLoss).run();
        s.reset();
    }
    sqlite::Statement named(db, "INSERT OR REPLACE INTO step_scalars (step, name, value) VALUES (?,?,?)");
    for (const StepRecord& r : steps)
        for (const auto& [name, value] : r.scalars) {
            named.bind(1, std::int64_t(r.step)).bind(2, name).bind(3, value).run();
            named.reset();
        }
}

void insertSnapshotRow(sqlite::Database& db, const char* table,
                       const snapshotcodec::EncodedSnapshot& encoded) {
    std::string sql =
        std::string("INSERT OR REPLACE INTO ") + table + " (" + snapshotcodec::kColumns + ") VALUES (?";
    for (int i = 1; i < snapshotcodec::columnCount(); ++i) sql += ",?";
    sqlite::Statement insert(db, (sql + ")").c_str());
    snapshotcodec::bind(insert, encoded);
    insert.run();
}

// A snapshot and its induction probe's (when it has one) are encoded together before the write lock.
struct EncodedPair {
    snapshotcodec::EncodedSnapshot text;
    std::optional<snapshotcodec::EncodedSnapshot> induction;
};
EncodedPair encodePair(const ProbeSnapshot& snapshot) {
    EncodedPair e{snapshotcodec::encode(snapshot), std::nullopt};
    if (snapshot.induction) e.induction = snapshotcodec::encode(*snapshot.induction);
    return e;
}

void insertSnapshot(sqlite::Database& db, const EncodedPair& encoded, const ProbeSnapshot& snapshot) {
    insertSnapshotRow(db, "snapshots", encoded.text);
    if (encoded.induction) insertSnapshotRow(db, runschema::kInductionSnapshotTable, *encoded.induction);

    sqlite::Statement clear(db, "DELETE FROM snapshot_scalars WHERE step = ?");
    clear.bind(1, std::int64_t(snapshot.step)).run();
    sqlite::Statement scalar(db, "INSERT INTO snapshot_scalars (step, idx, name, value) VALUES (?,?,?,?)");
    for (std::size_t i = 0; i < snapshot.scalarNames.size(); ++i) {
        scalar.bind(1, std::int64_t(snapshot.step)).bind(2, std::int64_t(i)).bind(3, snapshot.scalarNames[i]);
        scalar.bind(4, double(snapshot.scalarValues[i])).run();
        scalar.reset();
    }
}

void insertEvent(sqlite::Database& db, const Event& e) {
    sqlite::Statement s(db, "INSERT INTO events (step, kind, message) VALUES (?,?,?)");
    s.bind(1, std::int64_t(e.step)).bind(2, e.kindName()).bind(3, e.message).run();
}

void insertEval(sqlite::Database& db, const EvalRecord& e) {
    sqlite::Statement s(db, "INSERT OR REPLACE INTO evals (step, length, mode, loss, perplexity, note) "
                            "VALUES (?,?,?,?,?,?)");
    s.bind(1, std::int64_t(e.step)).bind(2, std::int64_t(e.length)).bind(3, e.mode).bind(4, e.loss);
    s.bind(5, e.perplexity).bind(6, e.note).run();
}

void insertCheckpoint(sqlite::Database& db, int step, const std::vector<std::uint8_t>& bytes) {
    if (bytes.empty()) throw Error("Cannot store an empty checkpoint for step " + std::to_string(step) + ".");
    const auto checksum = ::crc32_z(::crc32_z(0L, Z_NULL, 0), bytes.data(), bytes.size());
    sqlite::Statement s(db,
                        "INSERT OR REPLACE INTO checkpoints (step, format, size, crc32, created_at, data) "
                        "VALUES (?,?,?,?,?,?)");
    s.bind(1, std::int64_t(step)).bind(2, std::string("safetensors")).bind(3, std::int64_t(bytes.size()));
    s.bind(4, std::int64_t(checksum)).bind(5, isoUtcNow()).bindBlob(6, bytes).run();
}

void insertStatus(sqlite::Database& db, RunStatus status, int step, const std::string& message) {
    sqlite::Statement s(db, "INSERT INTO status_history (step, status, message, at) VALUES (?,?,?,?)");
    s.bind(1, std::int64_t(step))
        .bind(2, std::string(toString(status)))
        .bind(3, message)
        .bind(4, isoUtcNow());
    s.run();
}

} // namespace

RunWriter::RunWriter(std::string path, WriterLock lock, std::unique_ptr<sqlite::Database> db)
    : m_path(std::move(path)), m_lock(std::move(lock)), m_db(std::move(db)) {}
RunWriter::RunWriter(RunWriter&&) noexcept = default;
RunWriter& RunWriter::operator=(RunWriter&&) noexcept = default;
RunWriter::~RunWriter() = default;

const std::string& RunWriter::path() const {
    return m_path;
}

RunWriter RunWriter::create(const std::string& path, RunHeader header, IfExists ifExists) {
    checkCanCreate(path, ifExists);
    if (header.appVersion.empty()) header.appVersion = ATTNSCOPE_VERSION;
    if (header.createdAt.empty()) header.createdAt = isoUtcNow();
    // Creates the file, or takes over the existing run, under its lock (writer_lock.h): no other writer
    // can come between the check and the creation.
    WriterLock lock = WriterLock::create(path, ifExists == IfExists::Overwrite ? WriterLock::Create::Overwrite
                                                                               : WriterLock::Create::New);
    try {
        auto db = std::make_unique<sqlite::Database>(path, sqlite::Database::Mode::Create, path);
        configureForWriting(*db);
        sqlite::Transaction transaction(*db);
        runschema::create(*db, header);
        runschema::putMeta(*db, "writer", WriterLock::thisWriter());
        insertStatus(*db, RunStatus::Created, 0, {});
        transaction.commit();
        return RunWriter(path, std::move(lock), std::move(db));
    } catch (const Error&) {
        lock.removeLockedFile(path); // a half-created file would only block the next attempt
        throw;
    }
}

RunWriter RunWriter::openForAppend(const std::string& path) {
    runschema::checkFileSignature(path, path);
    WriterLock lock = WriterLock::openExisting(path); // before SQLite opens the file (writer_lock.h)
    auto db = std::make_unique<sqlite::Database>(path, sqlite::Database::Mode::ReadWrite, path);
    runschema::validate(*db, /*forWriting=*/true);
    configureForWriting(*db);
    sqlite::Transaction transaction(*db);
    runschema::upgradeForWriting(*db);
    runschema::putMeta(*db, "writer", WriterLock::thisWriter());
    transaction.commit();
    return RunWriter(path, std::move(lock), std::move(db));
}

void RunWriter::appendSteps(const std::vector<StepRecord>& steps) {
    sqlite::Transaction transaction(*m_db);
    insertSteps(*m_db, steps);
    transaction.commit();
}

void RunWriter::appendSnapshot(const ProbeSnapshot& snapshot) {
    const auto encoded = encodePair(snapshot); // compress before taking the write lock
    sqlite::Transaction transaction(*m_db);
    insertSnapshot(*m_db, encoded, snapshot);
    transaction.commit();
}

void RunWriter::appendEvent(const Event& event) {
    sqlite::Transaction transaction(*m_db);
    insertEvent(*m_db, event);
    transaction.commit();
}

void RunWriter::appendEval(const EvalRecord& eval) {
    sqlite::Transaction transaction(*m_db);
    insertEval(*m_db, eval);
    transaction.commit();
}

void RunWriter::saveCheckpoint(int step, const std::vector<std::uint8_t>& safetensors) {
    sqlite::Transaction transaction(*m_db);
    insertCheckpoint(*m_db, step, safetensors);
    transaction.commit();
}

void RunWriter::setStatus(RunStatus status, int step, const std::string& message) {
    sqlite::Transaction transaction(*m_db);
    insertStatus(*m_db, status, step, message);
    transaction.commit();
}

void RunWriter::write(const std::vector<TelemetryMessage>& messages) {
    // Encode snapshots first: compression is the slow part and must not hold the write lock.
    std::vector<std::pair<const ProbeSnapshot*, EncodedPair>> snapshots;
    std::vector<StepRecord> steps;
    for (const auto& m : messages) {
        if (const auto* s = std::get_if<SnapshotPtr>(&m); s && *s)
            snapshots.emplace_back(s->get(), encodePair(**s));
        if (const auto* r = std::get_if<StepRecord>(&m)) steps.push_back(*r);
    }
    sqlite::Transaction transaction(*m_db);
    insertSteps(*m_db, steps);
    for (const auto& [snapshot, encoded] : snapshots) insertSnapshot(*m_db, encoded, *snapshot);
    for (const auto& m : messages) {
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, Event>)
                    insertEvent(*m_db, v);
                else if constexpr (std::is_same_v<T, EvalRecord>)
                    insertEval(*m_db, v);
                else if constexpr (std::is_same_v<T, StatusChange>)
                    insertStatus(*m_db, v.status, v.step, v.message);
                else if constexpr (std::is_same_v<T, CheckpointSaved>) {
                    if (v.safetensors && !v.safetensors->empty())
                        insertCheckpoint(*m_db, v.step, *v.safetensors);
                }
            },
            m);
    }
    transaction.commit();
}

void RunWriter::truncateAfter(int step) {
    sqlite::Transaction transaction(*m_db);
    for (const char* table : {"steps", "step_scalars", "snapshots", runschema::kInductionSnapshotTable,
                              "snapshot_scalars", "events", "evals", "checkpoints"}) {
        sqlite::Statement s(*m_db, (std::string("DELETE FROM ") + table + " WHERE step > ?").c_str());
        s.bind(1, std::int64_t(step)).run();
    }
    m_db->exec("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'rewinds'");
    transaction.commit();
}

void RunWriter::setMeta(const std::string& key, const std::string& value) {
    sqlite::Transaction transaction(*m_db);
    runschema::putMeta(*m_db, key, value);
    transaction.commit();
}

} // namespace attnscope
