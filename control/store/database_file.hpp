// The database file's life outside a running store: judging an existing file
// before anything writes to it, and creating a new one so that it appears
// complete or not at all.
#pragma once

#include <cstdint>
#include <string>

#include "control/api_error.hpp"
#include "control/store/sqlite_db.hpp"

namespace vpngw {

// What an existing database holds, as far as opening it needs to know.
struct DatabaseFacts {
  int schema_version = 0;
  int64_t tunnel_rows = 0;  // rows whose PSKs need the existing psk.key
};

// Reads an existing database without writing to it: refuses a file that is
// empty, not SQLite, fails PRAGMA integrity_check, or has a schema version
// newer than this build knows. A refused file is left byte for byte as it was.
Result<DatabaseFacts> inspect_existing_database(const std::string& path);

// Creates a database at `path` (which must not exist) with the current schema.
// It is built under a temporary name and renamed into place, so a crash never
// leaves an empty or half-initialised file that a restart would have to judge.
Status create_database(const std::string& path);

// Opens an inspected or created database for the store: WAL journal,
// synchronous=FULL (a commit is on disk when it returns), schema migrated.
Result<SqliteDb> open_database_for_writing(const std::string& path);

}  // namespace vpngw
