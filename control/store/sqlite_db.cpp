#include "control/store/sqlite_db.hpp"

#include <sqlite3.h>

#include <utility>

namespace vpngw {

Result<SqliteDb> SqliteDb::open(const std::string& path, Mode mode) {
  int flags = SQLITE_OPEN_READWRITE;
  if (mode == Mode::read_only) flags = SQLITE_OPEN_READONLY;
  if (mode == Mode::create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // SQLite hands back a handle even when opening fails; it carries the message.
  SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    std::string why = raw != nullptr ? db.last_error() : sqlite3_errstr(rc);
    return store_error("cannot open " + path + ": " + why);
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

SqliteDb::~SqliteDb() { close(); }

void SqliteDb::close() {
  // close_v2 defers the close until outstanding statements are finalized, so
  // the order in which owners are destroyed does not matter.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

std::string SqliteDb::last_error() const {
  return db_ != nullptr ? sqlite3_errmsg(db_) : "no database connection";
}

Status SqliteDb::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return std::nullopt;
  std::string why = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return store_error(why);
}

Result<std::string> SqliteDb::query_text(std::string_view sql) {
  auto stmt = Statement::prepare(*this, sql);
  if (!stmt) return stmt.error();
  auto step = stmt->step();
  if (!step) return step.error();
  if (*step != Statement::Step::row) return store_error("no result from: " + std::string(sql));
  return stmt->column_text(0);
}

Result<int64_t> SqliteDb::query_int(std::string_view sql) {
  auto stmt = Statement::prepare(*this, sql);
  if (!stmt) return stmt.error();
  auto step = stmt->step();
  if (!step) return step.error();
  if (*step != Statement::Step::row) return store_error("no result from: " + std::string(sql));
  return stmt->column_int(0);
}

void SqliteDb::rollback_if_open() {
  // After some errors SQLite has already rolled back by itself; a second
  // ROLLBACK would only fail, so ask first.
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0)
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<Statement> Statement::prepare(SqliteDb& db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return store_error(db.last_error());
  }
  return Statement(db, raw);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::bind(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) return store_error(db_->last_error());
  return std::nullopt;
}

Result<Statement::Step> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return Step::row;
  if (rc == SQLITE_DONE) return Step::done;
  return store_error(db_->last_error());
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  int size = sqlite3_column_bytes(stmt_, index);
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(size)};
}

int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

}  // namespace vpngw
