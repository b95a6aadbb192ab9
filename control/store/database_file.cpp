#include "control/store/database_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "control/store/schema.hpp"

namespace vpngw {

namespace {

std::string errno_text() { return std::strerror(errno); }

ApiError unusable(const std::string& path, const std::string& why) {
  return store_error(path + " is not a usable vpngw database (" + why +
                     "); refusing to open it: restore it from a backup or move it aside");
}

// SQLite's multi-line report as one log line, cut short: the first
// problems say enough to know the file is damaged.
std::string one_line(std::string text) {
  constexpr size_t kMaxLength = 300;
  for (char& c : text)
    if (c == '\n') c = ' ';
  if (text.size() > kMaxLength) text = text.substr(0, kMaxLength) + "...";
  return text;
}

Status remove_if_present(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return store_error("cannot remove " + path + ": " + errno_text());
  return std::nullopt;
}

Status fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return store_error("cannot open " + path + " to sync it: " + errno_text());
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) return store_error("cannot sync " + path + ": " + errno_text());
  return std::nullopt;
}

Status use_wal_and_full_sync(SqliteDb& db) {
  auto mode = db.query_text("PRAGMA journal_mode = WAL");
  if (!mode) return store_error("cannot switch to WAL journaling", mode.error());
  if (*mode != "wal") return store_error("SQLite refused WAL journaling (mode is " + *mode + ")");
  // FULL: in WAL mode every commit syncs the log before it returns, which
  // is what lets the service acknowledge a change once commit() returns.
  if (auto err = db.exec("PRAGMA synchronous = FULL"))
    return store_error("cannot set synchronous=FULL", *err);
  return std::nullopt;
}

}  // namespace

Result<DatabaseFacts> inspect_existing_database(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return store_error("cannot stat " + path + ": " + errno_text());
  if (!S_ISREG(st.st_mode)) return unusable(path, "not a regular file");
  // SQLite would take an empty file for a new database and write a schema
  // into it; we create databases whole, so an empty one is damage.
  if (st.st_size == 0) return unusable(path, "the file is empty");

  // Read-only: nothing below can change the file, whatever we find.
  auto db = SqliteDb::open(path, SqliteDb::Mode::read_only);
  if (!db) return unusable(path, cause_of(db.error()));
  auto version = db->query_int("PRAGMA user_version");
  if (!version) return unusable(path, cause_of(version.error()));
  if (auto err = check_schema_version(static_cast<int>(*version))) return *err;

  // integrity_check rather than quick_check: the database is small, and this
  // runs once per start.
  auto integrity = db->query_text("PRAGMA integrity_check");
  if (!integrity) return unusable(path, cause_of(integrity.error()));
  if (*integrity != "ok") return unusable(path, "integrity check: " + one_line(*integrity));

  DatabaseFacts facts;
  facts.schema_version = static_cast<int>(*version);
  // Every schema version from 1 on has the tunnels table.
  if (facts.schema_version >= 1) {
    auto rows = db->query_int("SELECT count(*) FROM tunnels");
    if (!rows) return unusable(path, cause_of(rows.error()));
    facts.tunnel_rows = *rows;
  }
  return facts;
}

Status create_database(const std::string& path) {
  // A log without its database would be replayed into the new one.
  struct stat st {};
  const std::string wal = path + "-wal";
  if (::stat(wal.c_str(), &st) == 0 && st.st_size > 0)
    return store_error(wal + " exists but " + path +
                       " does not; refusing to start a new database next to an orphaned "
                       "write-ahead log: move it aside");

  const std::string temp = path + ".creating";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    if (auto err = remove_if_present(temp + suffix)) return err;
  // The file exists before SQLite opens it so that it gets mode 0600 (the
  // log and index files SQLite adds copy it): the database maps out every
  // customer's network even though it holds no PSK in clear.
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return store_error("cannot create " + temp + ": " + errno_text());
  ::close(fd);
  {
    auto db = SqliteDb::open(temp, SqliteDb::Mode::read_write);
    if (!db) return db.error();
    if (auto err = use_wal_and_full_sync(*db)) return err;
    if (auto err = migrate(*db)) return err;
  }  // closing the last connection checkpoints the log into the file
  if (auto err = fsync_path(temp, O_RDONLY)) return err;
  if (::rename(temp.c_str(), path.c_str()) != 0)
    return store_error("cannot rename " + temp + " to " + path + ": " + errno_text());
  std::string dir = std::filesystem::path(path).parent_path().string();
  return fsync_path(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

Result<SqliteDb> open_database_for_writing(const std::string& path) {
  auto db = SqliteDb::open(path, SqliteDb::Mode::read_write);
  if (!db) return db.error();
  // Only an operator's sqlite3 shell could hold the write lock; wait a
  // little for it rather than fail a request at once.
  if (auto err = db->exec("PRAGMA busy_timeout = 2000"))
    return store_error("cannot set the busy timeout", *err);
  if (auto err = use_wal_and_full_sync(*db)) return *err;
  if (auto err = migrate(*db)) return *err;
  return db;
}

}  // namespace vpngw
