#pragma once
// Schema of the .attnrun SQLite file (version kRunSchemaVersion) and the checks that decide whether a file
// is a run this build can read or append to. docs/run-format.md documents every table and column.
#include "core/store/run_file.h"
#include "core/store/sqlite_db.h"

#include <string>

namespace attnscope::runschema {

// Schema 3: the induction probe's snapshots, same columns as `snapshots` (absent in older files).
inline constexpr const char* kInductionSnapshotTable = "induction_snapshots";

// Creates every table and writes the meta rows and the header. Call inside a write transaction.
void create(sqlite::Database& db, const RunHeader& header);

// Cheap checks on the raw file before SQLite sees it, so the user gets "does not exist", "is empty" or
// "is not a SQLite database" instead of SQLite's terse codes.
void checkFileSignature(const std::string& path, const std::string& displayName);

// Throws attnscope::Error unless `db` is an AttnScope run whose schema this build can read (or, with
// forWriting, append to). Returns the file's schema version.
int validate(sqlite::Database& db, bool forWriting);

RunHeader readHeader(sqlite::Database& db);

// Brings a file written by an older schema up to this build's before appending to it (adds the columns
// later versions introduced: steps.ce_loss, schema 2's step_scalars table and
// snapshot columns, schema 3's score columns and induction_snapshots table; see docs/run-format.md,
// "Versioning"). Call inside a write transaction.
void upgradeForWriting(sqlite::Database& db);
// Whether `table` has `column` (files of schema 1 have no steps.ce_loss).
bool hasColumn(sqlite::Database& db, const std::string& table, const std::string& column);

void putMeta(sqlite::Database& db, const std::string& key, const std::string& value);
// The value of a meta key, or "" when absent.
std::string meta(sqlite::Database& db, const std::string& key);

} // namespace attnscope::runschema
