#pragma once
// Schema of the .attnrun SQLite file (version kRunSchemaVersion) and the checks that decide whether a file
// is a run this build can read or append to. docs/run-format.md documents every table and column.
#include "core/store/run_file.h"
#include "core/store/sqlite_db.h"

#include <string>

namespace attnscope::runschema {

// Creates every table and writes the meta rows and the header. Call inside a write transaction.
void create(sqlite::Database& db, const RunHeader& header);

// Cheap checks on the raw file before SQLite sees it, so the user gets "does not exist", "is empty" or
// "is not a SQLite database" instead of SQLite's terse codes.
void checkFileSignature(const std::string& path, const std::string& displayName);

// Throws attnscope::Error unless `db` is an AttnScope run whose schema this build can read (or, with
// forWriting, append to). Returns the file's schema version.
int validate(sqlite::Database& db, bool forWriting);

RunHeader readHeader(sqlite::Database& db);

// Brings a run of an older schema this build can write up to kRunSchemaVersion (adds schema 2's
// step_scalars table and snapshot columns). No-op for a current file. Call inside a write transaction.
void upgrade(sqlite::Database& db);

} // namespace attnscope::runschema
