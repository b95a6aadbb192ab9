// Thin RAII wrappers over the SQLite C API: a connection and a prepared
// statement. Failures come back as InternalError with SQLite's own words, so
// callers only add what they were trying to do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "control/api_error.hpp"
#include "control/store/store_error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace vpngw {

class SqliteDb {
 public:
  enum class Mode : uint8_t {
    read_only,   // never writes to the database file
    read_write,  // the file must exist
    create,      // read-write, creating the file if it is absent
  };

  static Result<SqliteDb> open(const std::string& path, Mode mode);

  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs one or more statements that return no rows of interest.
  Status exec(std::string_view sql);
  // Runs a statement returning one row of one column, e.g. a PRAGMA.
  Result<std::string> query_text(std::string_view sql);
  Result<int64_t> query_int(std::string_view sql);

  // Rolls back the open transaction, if any; used on every error path.
  void rollback_if_open();

  sqlite3* handle() const { return db_; }
  std::string last_error() const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  void close();

  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  enum class Step : uint8_t { row, done };

  static Result<Statement> prepare(SqliteDb& db, std::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1, as in SQLite. The text is copied.
  Status bind(int index, std::string_view text);
  Result<Step> step();
  // Clears the bindings and rewinds, so the statement can run again.
  void reset();

  // Columns are numbered from 0. NULL reads as "" or 0.
  std::string column_text(int index) const;
  int64_t column_int(int index) const;

 private:
  Statement(SqliteDb& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}

  SqliteDb* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace vpngw
