#include "core/store/sqlite_db.h"

#include "core/util/error.h"

#include <cmath>
#include <limits>
#include <sqlite3.h>

namespace attnscope::sqlite {

namespace {

// Long enough to ride out a concurrent writer's commit or checkpoint, short enough not to hang a GUI.
constexpr int kBusyTimeoutMs = 5000;

std::string immutableUri(const std::string& path) {
    std::string uri = "file:";
    for (unsigned char c : path) {
        if (c == '%' || c == '?' || c == '#' || c < 0x20) {
            static const char* hex = "0123456789ABCDEF";
            uri += '%';
            uri += hex[c >> 4];
            uri += hex[c & 15];
        } else {
            uri += char(c);
        }
    }
    return uri + "?immutable=1";
}

} // namespace

std::string describeResult(int rc) {
    switch (rc & 0xFF) {
    case SQLITE_FULL:
        return "the disk is full";
    case SQLITE_CANTOPEN:
        return "the file or its folder cannot be opened";
    case SQLITE_READONLY:
        return "the file is read-only";
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return "permission denied";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "another program is holding it locked";
    case SQLITE_IOERR:
        return "the operating system reported an input/output error";
    case SQLITE_NOMEM:
        return "out of memory";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return "the file is damaged";
    case SQLITE_TOOBIG:
        return "a record is too large";
    default:
        return sqlite3_errstr(rc);
    }
}

Database::Database(const std::string& path, Mode mode, std::string displayName)
    : m_displayName(std::move(displayName)), m_action(mode == Mode::ReadOnly ? "read" : "write to") {
    const int flags = mode == Mode::ReadOnly    ? SQLITE_OPEN_READONLY
                      : mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE
                                                : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(m_db, 1);
        sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
        // Touch the schema now, so that "cannot open" surfaces here rather than at the first query.
        rc = sqlite3_exec(m_db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    }
    const int primary = rc & 0xFF;
    if (mode == Mode::ReadOnly && (primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY)) {
        // A WAL database in a folder we cannot write needs its -shm file; without a writer running, the
        // file is stable and can be read as immutable instead.
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        rc = sqlite3_open_v2(immutableUri(path).c_str(), &m_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                             nullptr);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(m_db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    }
    try {
        if (rc != SQLITE_OK) fail(rc, mode == Mode::Create ? "create" : "open");
        // Damaged b-tree cells are reported as errors rather than read; costs little.
        exec("PRAGMA cell_size_check=ON");
        int unused = 0;
        sqlite3_db_config(m_db, SQLITE_DBCONFIG_DEFENSIVE, 1, &unused);
    } catch (...) { // the destructor does not run for a throwing constructor
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        throw;
    }
}

Database::~Database() {
    sqlite3_close_v2(m_db);
}

void Database::fail(int rc, const std::string& action) const {
    const std::string detail = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    const int primary = rc & 0xFF;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        throw Error(m_displayName + " is damaged: " + detail + ".");
    const std::string what = action.empty() ? m_action : action;
    std::string message = "Cannot " + what + " " + m_displayName + ": " + describeResult(rc);
    if (detail != describeResult(rc)) message += " (" + detail + ")";
    throw Error(message + ".");
}

void Database::exec(const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error); // sqlite3_errmsg still holds the message for fail()
    if (rc != SQLITE_OK) fail(rc, "");
}

std::string Database::queryText(const std::string& sql) {
    Statement s(*this, sql.c_str());
    return s.step() ? s.textAt(0) : std::string();
}

bool Database::hasTable(const std::string& name) {
    Statement s(*this, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    s.bind(1, name);
    return s.step();
}

Statement::Statement(Database& db, const char* sql) : m_db(db) {
    const int rc = sqlite3_prepare_v2(db.handle(), sql, -1, &m_stmt, nullptr);
    if (rc != SQLITE_OK) db.fail(rc, "");
}

Statement::~Statement() {
    sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, std::int64_t value) {
    if (int rc = sqlite3_bind_int64(m_stmt, index, value); rc != SQLITE_OK) m_db.fail(rc, "");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (std::isnan(value)) return bindNull(index);
    if (int rc = sqlite3_bind_double(m_stmt, index, value); rc != SQLITE_OK) m_db.fail(rc, "");
    return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
    if (int rc =
            sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        rc != SQLITE_OK)
        m_db.fail(rc, "");
    return *this;
}

Statement& Statement::bindBlob(int index, std::span<const std::uint8_t> value) {
    if (value.empty()) return bindNull(index);
    // SQLITE_STATIC: no copy of multi-megabyte checkpoints; the caller keeps the bytes alive (see header).
    if (int rc = sqlite3_bind_blob64(m_stmt, index, value.data(), value.size(), SQLITE_STATIC);
        rc != SQLITE_OK)
        m_db.fail(rc, "");
    return *this;
}

Statement& Statement::bindNull(int index) {
    if (int rc = sqlite3_bind_null(m_stmt, index); rc != SQLITE_OK) m_db.fail(rc, "");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    m_db.fail(rc, "");
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(m_stmt); // returns the previous step's error, already reported by step()
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int column) const {
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::int64At(int column) const {
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::doubleAt(int column) const {
    return isNull(column) ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(m_stmt, column);
}

std::string Statement::textAt(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    return text ? std::string(text, std::size_t(size)) : std::string();
}

std::vector<std::uint8_t> Statement::blobAt(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data ? std::vector<std::uint8_t>(data, data + size) : std::vector<std::uint8_t>();
}

Transaction::Transaction(Database& db, bool write) : m_db(db) {
    db.exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
    // After a failed COMMIT SQLite may already have rolled back; the error from a second rollback is moot.
    if (m_open) sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    m_db.exec("COMMIT");
    m_open = false;
}

} // namespace attnscope::sqlite
