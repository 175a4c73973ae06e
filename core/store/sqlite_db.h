#pragma once
// Minimal RAII over the SQLite C API for the run store. Every failing call throws attnscope::Error with a
// sentence that names the file and says what went wrong in user terms (damaged, disk full, read-only...).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace attnscope::sqlite {

class Database;

class Statement {
public:
    Statement(Database& db, const char* sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are 1-based as in SQLite. NaN doubles are stored as NULL (SQLite does this anyway).
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, const std::string& value);
    // Not copied: `value` must stay alive until the statement has run (or is reset). Empty binds NULL.
    Statement& bindBlob(int index, std::span<const std::uint8_t> value);
    Statement& bindNull(int index);

    // Advances; true while a row is available. Throws on any error.
    bool step();
    // Runs a statement that returns no rows.
    void run();
    void reset(); // ready to bind and step again

    bool isNull(int column) const;
    std::int64_t int64At(int column) const;
    double doubleAt(int column) const; // NULL reads as NaN
    std::string textAt(int column) const;
    std::vector<std::uint8_t> blobAt(int column) const; // NULL reads as empty

private:
    Database& m_db;
    sqlite3_stmt* m_stmt = nullptr;
};

class Database {
public:
    enum class Mode { ReadOnly, ReadWrite, Create };
    // `displayName` is used in messages (usually the path as the user gave it). ReadOnly creates no file
    // beside the database (no -wal, no -shm), follows a file being written, and reads a killed writer's -wal
    // even where no -shm can be made (see ReadPlan).
    Database(const std::string& path, Mode mode, std::string displayName);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(const std::string& sql);
    // First column of the first row of a query, as text ("" when there is no row).
    std::string queryText(const std::string& sql);
    bool hasTable(const std::string& name);

    // Throws the Error for SQLite result `rc` while `action` ("open", "create"; "" = read / write to).
    [[noreturn]] void fail(int rc, const std::string& action) const;
    const std::string& displayName() const { return m_displayName; }
    sqlite3* handle() { return m_db; }

    // How a ReadOnly connection reads a WAL database (sqlite_db.cpp explains the cases).
    enum class ReadPlan {
        Immutable,  // no -wal beside it: nobody has it open; read as immutable
        Shared,     // -wal and -shm: read in place through the existing -shm
        PrivateCopy // -wal without -shm: the file and its -wal are read from a private temporary copy
    };
    static ReadPlan readPlan(const std::string& path);
    ReadPlan plan() const { return m_plan; }
    // True when this connection reads the file as immutable and the file has since changed or gained a
    // -wal (a writer opened it): a follower must then open it again to see the changes.
    bool changedSinceOpen() const;

private:
    int openForReading(const std::string& path);
    int touchSchema();
    struct PrivateCopy;

    sqlite3* m_db = nullptr;
    std::string m_displayName;
    std::string m_action; // default verb for messages: "read" or "write to"
    std::string m_path;
    ReadPlan m_plan = ReadPlan::Shared;
    std::pair<std::int64_t, std::int64_t> m_openedState{-1, -1}; // size and mtime when opened
    std::unique_ptr<PrivateCopy> m_copy;
};

// BEGIN IMMEDIATE … COMMIT; rolls back in the destructor unless committed, so an exception halfway
// leaves the file as it was before the call.
class Transaction {
public:
    explicit Transaction(Database& db, bool write = true);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& m_db;
    bool m_open = true;
};

// Message for a SQLite result code in user terms, e.g. "the disk is full".
std::string describeResult(int rc);

} // namespace attnscope::sqlite
