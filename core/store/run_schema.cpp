#include "core/store/run_schema.h"

#include "core/io/blob_codec.h"
#include "core/store/snapshot_codec.h"
#include "core/util/error.h"

#include <array>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace attnscope::runschema {

namespace {

// Large blobs (maps, checkpoint bytes) sit in the last column so that queries reading only the small
// columns never touch their overflow pages.
constexpr const char* kCreateSql = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE run (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    spec_json TEXT NOT NULL, app_version TEXT NOT NULL, corpus_name TEXT NOT NULL, corpus_hash TEXT NOT NULL,
    tokenizer_json TEXT NOT NULL, probe_tokens BLOB, probe_text TEXT NOT NULL, description TEXT NOT NULL,
    created_at TEXT NOT NULL, model_json TEXT);
CREATE TABLE steps (
    step INTEGER PRIMARY KEY, loss REAL, val_loss REAL, lr REAL, grad_norm REAL, tokens_per_sec REAL,
    elapsed_sec REAL, ce_loss REAL);
CREATE TABLE step_scalars (
    step INTEGER NOT NULL, name TEXT NOT NULL, value REAL, PRIMARY KEY (step, name)) WITHOUT ROWID;
CREATE TABLE snapshot_scalars (
    step INTEGER NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, value REAL,
    PRIMARY KEY (step, idx)) WITHOUT ROWID;
CREATE TABLE events (id INTEGER PRIMARY KEY, step INTEGER NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX events_by_step ON events (step);
CREATE TABLE evals (
    id INTEGER PRIMARY KEY, step INTEGER NOT NULL, length INTEGER NOT NULL, mode TEXT NOT NULL, loss REAL,
    perplexity REAL, note TEXT NOT NULL, UNIQUE (step, length, mode));
CREATE TABLE checkpoints (
    step INTEGER PRIMARY KEY, format TEXT NOT NULL, size INTEGER NOT NULL, crc32 INTEGER NOT NULL,
    created_at TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE status_history (
    id INTEGER PRIMARY KEY, step INTEGER NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
    at TEXT NOT NULL);
)sql";

// The snapshots of the text probe and those of the induction probe (schema 3) share one layout.
constexpr const char* kSnapshotColumnsSql = R"sql(
    step INTEGER PRIMARY KEY, layers INTEGER NOT NULL, heads INTEGER NOT NULL, length INTEGER NOT NULL,
    tokens BLOB, entropy BLOB, norm_entropy BLOB, max_logit BLOB, mean_row_max BLOB, sink_score BLOB,
    mean_distance BLOB, sigma_qk BLOB, sigma_q BLOB, sigma_k BLOB, entropy_bound BLOB, key_profile BLOB,
    importance_entropy BLOB, sink_rate REAL, out_logit_max REAL, mean_log_z REAL,
    map_encoding TEXT NOT NULL, attention BLOB, logits BLOB,
    sink_non_trigger BLOB, top_key BLOB, top_key_share BLOB, value_norm BLOB, residual_norm BLOB,
    previous_token BLOB, duplicate_token BLOB, induction_score BLOB, local_mass BLOB)sql";

std::string createSnapshotTable(const char* name) {
    return std::string("CREATE TABLE IF NOT EXISTS ") + name + " (" + kSnapshotColumnsSql + ")";
}

constexpr std::array<const char*, 9> kRequiredTables{
    "meta",          "run", "steps", "snapshots", "events", "evals", "checkpoints", "snapshot_scalars",
    "status_history"};

std::string getMeta(sqlite::Database& db, const std::string& key, bool& found) {
    sqlite::Statement s(db, "SELECT value FROM meta WHERE key = ?");
    s.bind(1, key);
    found = s.step();
    return found ? s.textAt(0) : std::string();
}

int parseVersion(const std::string& text, const sqlite::Database& db) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1)
        throw Error(db.displayName() + " is damaged: its schema version \"" + text + "\" is not a number.");
    return value;
}

} // namespace

void putMeta(sqlite::Database& db, const std::string& key, const std::string& value) {
    sqlite::Statement s(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    s.bind(1, key).bind(2, value).run();
}

std::string meta(sqlite::Database& db, const std::string& key) {
    bool found = false;
    return getMeta(db, key, found);
}

bool hasColumn(sqlite::Database& db, const std::string& table, const std::string& column) {
    sqlite::Statement s(db,
                        ("SELECT count(*) FROM pragma_table_info('" + table + "') WHERE name = ?").c_str());
    s.bind(1, column);
    return s.step() && s.int64At(0) > 0;
}

void upgradeForWriting(sqlite::Database& db) {
    if (!hasColumn(db, "steps", "ce_loss")) db.exec("ALTER TABLE steps ADD COLUMN ce_loss REAL");
    if (!hasColumn(db, "run", "model_json")) db.exec("ALTER TABLE run ADD COLUMN model_json TEXT");
    if (!db.hasTable("step_scalars"))
        db.exec("CREATE TABLE step_scalars (step INTEGER NOT NULL, name TEXT NOT NULL, value REAL, "
                "PRIMARY KEY (step, name)) WITHOUT ROWID");
    for (const std::string& column : snapshotcodec::addedColumns())
        if (!hasColumn(db, "snapshots", column))
            db.exec("ALTER TABLE snapshots ADD COLUMN " + column + " BLOB");
    db.exec(createSnapshotTable(kInductionSnapshotTable));
    bool found = false;
    const int version = parseVersion(getMeta(db, "schema_version", found), db);
    if (version < kRunSchemaVersion) {
        putMeta(db, "schema_version", std::to_string(kRunSchemaVersion));
        putMeta(db, "min_reader_schema", std::to_string(kMinReaderSchema));
        db.exec("PRAGMA user_version = " + std::to_string(kRunSchemaVersion));
    }
}

void create(sqlite::Database& db, const RunHeader& header) {
    db.exec(kCreateSql);
    db.exec(createSnapshotTable("snapshots"));
    db.exec(createSnapshotTable(kInductionSnapshotTable));
    db.exec("PRAGMA user_version = " + std::to_string(kRunSchemaVersion));
    db.exec("PRAGMA application_id = " + std::to_string(std::int32_t(kRunApplicationId)));
    putMeta(db, "app", kRunAppMarker);
    putMeta(db, "schema_version", std::to_string(kRunSchemaVersion));
    putMeta(db, "min_reader_schema", std::to_string(kMinReaderSchema));
    putMeta(db, "rewinds", "0");
    sqlite::Statement s(
        db, "INSERT INTO run (id, spec_json, app_version, corpus_name, corpus_hash, tokenizer_json, "
            "probe_tokens, probe_text, description, created_at, model_json) VALUES (1,?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, header.specJson)
        .bind(2, header.appVersion)
        .bind(3, header.corpusName)
        .bind(4, header.corpusHash);
    const std::vector<std::uint8_t> probeTokens =
        blob::int32sToBytes(header.probeTokens); // bound, not copied
    s.bind(5, header.tokenizerJson).bindBlob(6, probeTokens);
    s.bind(7, header.probeText).bind(8, header.description).bind(9, header.createdAt);
    if (header.modelJson.empty())
        s.bindNull(10);
    else
        s.bind(10, header.modelJson);
    s.run();
}

void checkFileSignature(const std::string& path, const std::string& displayName) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) throw Error(displayName + " does not exist.");
    if (fs::is_directory(status)) throw Error(displayName + " is a folder, not a run file.");
    const auto size = fs::file_size(path, ec);
    if (ec) throw Error("Cannot read " + displayName + ": " + ec.message() + ".");
    if (size == 0) throw Error(displayName + " is not an AttnScope run file (it is empty).");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("Cannot open " + displayName + ": permission denied or the file vanished.");
    char magic[16] = {};
    in.read(magic, sizeof magic);
    if (in.gcount() != sizeof magic || std::memcmp(magic, "SQLite format 3", 16) != 0)
        throw Error(displayName + " is not an AttnScope run file (it is not a SQLite database).");
}

int validate(sqlite::Database& db, bool forWriting) {
    const std::string& name = db.displayName();
    if (!db.hasTable("meta")) {
        const bool empty = db.queryText("SELECT count(*) FROM sqlite_master") == "0";
        throw Error(name + " is not an AttnScope run file (it is " +
                    (empty ? "an empty SQLite database)." : "a SQLite database without AttnScope tables)."));
    }
    bool found = false;
    if (getMeta(db, "app", found) != kRunAppMarker)
        throw Error(name +
                    " is not an AttnScope run file (it is a SQLite database made by another program).");
    const int version = parseVersion(getMeta(db, "schema_version", found), db);
    std::string minReaderText = getMeta(db, "min_reader_schema", found);
    const int minReader = found ? parseVersion(minReaderText, db) : version;
    if (minReader > kRunSchemaVersion)
        throw Error(name + " was written by a newer AttnScope (schema " + std::to_string(version) +
                    "; this version reads up to " + std::to_string(kRunSchemaVersion) +
                    "). Please update AttnScope.");
    if (forWriting && version > kRunSchemaVersion)
        throw Error(name + " was written by a newer AttnScope (schema " + std::to_string(version) +
                    "); this version can read it but not add to it.");
    for (const char* table : kRequiredTables)
        if (!db.hasTable(table))
            throw Error(name + " is damaged: its table \"" + std::string(table) + "\" is missing.");
    return version;
}

RunHeader readHeader(sqlite::Database& db) {
    // Files before schema 3 have no model_json column: their model is described by the spec alone.
    const std::string select =
        std::string("SELECT spec_json, app_version, corpus_name, corpus_hash, "
                    "tokenizer_json, probe_tokens, probe_text, description, created_at, ") +
        (hasColumn(db, "run", "model_json") ? "model_json" : "NULL") + " FROM run WHERE id = 1";
    sqlite::Statement s(db, select.c_str());
    if (!s.step()) throw Error(db.displayName() + " is damaged: its run header is missing.");
    RunHeader h;
    h.specJson = s.textAt(0);
    h.appVersion = s.textAt(1);
    h.corpusName = s.textAt(2);
    h.corpusHash = s.textAt(3);
    h.tokenizerJson = s.textAt(4);
    h.probeTokens = blob::bytesToInt32s(s.blobAt(5), db.displayName() + " (probe tokens)");
    h.probeText = s.textAt(6);
    h.description = s.textAt(7);
    h.createdAt = s.textAt(8);
    if (!s.isNull(9)) h.modelJson = s.textAt(9);
    return h;
}

} // namespace attnscope::runschema
