#include "core/store/sqlite_db.h"

#include "core/util/error.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sqlite3.h>
#include <sys/stat.h>
#include <utility>

namespace attnscope::sqlite {

namespace {

// Long enough to ride out a concurrent writer's commit or checkpoint, short enough not to hang a GUI.
constexpr int kBusyTimeoutMs = 5000;

std::string uriOf(const std::string& path, const char* query) {
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
    return uri + "?" + query;
}

bool exists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
}

// Size and modification time: what tells a reader that a file it reads as immutable has changed.
std::pair<std::int64_t, std::int64_t> sizeAndTime(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return {-1, -1};
    return {std::int64_t(info.st_size),
            std::int64_t(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};
}

void copyFile(const std::string& from, const std::string& to) {
    std::error_code ec;
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec)
        throw Error("Cannot read " + from + ": copying it to read its -wal failed (" + ec.message() + ").");
}

} // namespace

// A folder of its own under $TMPDIR holding copies of a run and its -wal, removed with the connection.
struct Database::PrivateCopy {
    explicit PrivateCopy(std::string f) : folder(std::move(f)) {}
    PrivateCopy(const PrivateCopy&) = delete;
    PrivateCopy& operator=(const PrivateCopy&) = delete;
    std::string folder;
    ~PrivateCopy() {
        std::error_code ignored;
        std::filesystem::remove_all(folder, ignored);
    }
};

Database::ReadPlan Database::readPlan(const std::string& path) {
    if (!exists(path + "-wal")) return ReadPlan::Immutable;
    return exists(path + "-shm") ? ReadPlan::Shared : ReadPlan::PrivateCopy;
}

bool Database::changedSinceOpen() const {
    return m_plan == ReadPlan::Immutable && (exists(m_path + "-wal") || sizeAndTime(m_path) != m_openedState);
}

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
    : m_displayName(std::move(displayName)), m_action(mode == Mode::ReadOnly ? "read" : "write to"),
      m_path(path) {
    int rc = SQLITE_OK;
    if (mode == Mode::ReadOnly) {
        rc = openForReading(path);
    } else {
        const int flags =
            mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
        if (rc == SQLITE_OK) rc = touchSchema();
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

int Database::touchSchema() {
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    // Touch the schema now, so that "cannot open" surfaces here rather than at the first query.
    return sqlite3_exec(m_db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
}

// A reader must not create files beside the run (SQLite makes an empty -wal and a 32 KB -shm for any
// connection to a WAL database, and a read-only connection cannot remove them again), must follow a run
// that is being written, and must read a killed run's -wal even from a read-only folder. SQLite's rules for
// read-only WAL access (sqlite.org/wal.html, "Read-Only Databases"): a connection needs the -shm to exist or
// be creatable, unless the database is opened as immutable — which is only correct for a file nobody
// changes, and ignores the -wal. Hence three cases:
//  * no -wal: no connection has the run open (SQLite removes the -wal when the last one closes, and a
//    writer's connection always has one). Everything committed is in the file itself: immutable.
//    changedSinceOpen() tells a follower when a writer has appeared since, so that it reopens.
//  * -wal and -shm: a live writer, or a killed one. Opened read-only in place; SQLite uses the existing
//    -shm (in heap memory when it is not writable) and creates nothing.
//  * -wal without -shm: a killed run whose -shm was lost (copied without it, or on a read-only mount). The
//    rows in the -wal are intact, but SQLite can only read them with a -shm: the file and its -wal are
//    copied into a private temporary folder and read there.
int Database::openForReading(const std::string& path) {
    m_plan = readPlan(path);
    m_openedState = sizeAndTime(path);
    std::string target = path;
    if (m_plan == ReadPlan::PrivateCopy) {
        std::string folder = (std::filesystem::temp_directory_path() / "attnscope-read-XXXXXX").string();
        if (!::mkdtemp(folder.data()))
            throw Error("Cannot read " + m_displayName + ": no temporary folder to read its -wal in (" +
                        std::strerror(errno) + ").");
        m_copy = std::make_unique<PrivateCopy>(folder);
        target = folder + "/run";
        copyFile(path, target);
        copyFile(path + "-wal", target + "-wal");
    }
    const char* query = m_plan == ReadPlan::Immutable ? "immutable=1" : "mode=ro";
    int rc =
        sqlite3_open_v2(uriOf(target, query).c_str(), &m_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
    if (rc == SQLITE_OK) rc = touchSchema();
    return rc;
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
