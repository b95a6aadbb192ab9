#include "control/store/sqlite_store.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "control/store/database_file.hpp"
#include "control/store/resource_rows.hpp"

namespace vpngw {

namespace {

Result<bool> path_exists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return store_error("cannot stat " + path + ": " + std::strerror(errno));
}

// The existing key, or a new one when nothing sealed under an old key exists.
Result<SealingKey> obtain_key(const std::string& path, const DatabaseFacts& facts) {
  auto exists = path_exists(path);
  if (!exists) return exists.error();
  if (*exists) return SealingKey::load(path);
  // A new key could not open the PSKs already stored: they would be lost.
  if (facts.tunnel_rows > 0)
    return store_error("the PSK sealing key " + path + " is missing but the database holds " +
                       std::to_string(facts.tunnel_rows) +
                       " tunnel(s) sealed under it; refusing to open: restore psk.key "
                       "from a backup");
  return SealingKey::create(path);
}

std::string upsert_sql(const TableInfo& t) {
  // ON CONFLICT DO UPDATE keeps the row's rowid (INSERT OR REPLACE would not),
  // so load() returns resources in creation order, as MemoryStore does.
  return "INSERT INTO " + std::string(t.table) + " (id, " + std::string(t.key_column) +
         ", body) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET " + std::string(t.key_column) +
         " = excluded." + std::string(t.key_column) + ", body = excluded.body";
}

Status run(SqliteDb& db, const std::string& sql, std::initializer_list<std::string_view> params) {
  auto stmt = Statement::prepare(db, sql);
  if (!stmt) return stmt.error();
  int index = 1;
  for (auto param : params)
    if (auto err = stmt->bind(index++, param)) return err;
  auto step = stmt->step();
  if (!step) return step.error();
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& state_dir) {
  if (sodium_init() < 0) return store_error("libsodium failed to initialise");
  struct stat st {};
  if (::stat(state_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return store_error("state directory " + state_dir + " does not exist or is not a directory");
  const std::string db_path = state_dir + "/" + kDatabaseFile;
  const std::string key_path = state_dir + "/" + kKeyFile;

  // Judge everything before writing anything: a refused start leaves the
  // database and the key exactly as they were.
  auto db_exists = path_exists(db_path);
  if (!db_exists) return db_exists.error();
  DatabaseFacts facts;
  if (*db_exists) {
    auto inspected = inspect_existing_database(db_path);
    if (!inspected) return inspected.error();
    facts = *inspected;
  }
  auto key = obtain_key(key_path, facts);
  if (!key) return key.error();

  if (!*db_exists)
    if (auto err = create_database(db_path)) return *err;
  auto db = open_database_for_writing(db_path);
  if (!db) return db.error();
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db), std::move(*key)));
}

SqliteStore::~SqliteStore() = default;

Result<ResourceSnapshot> SqliteStore::load() {
  // One read transaction, so the tables are seen at a single point in time.
  if (auto err = db_.exec("BEGIN")) return store_error("load failed", *err);
  ResourceSnapshot snapshot;
  Status err = read_all(snapshot);
  db_.rollback_if_open();  // ends the read transaction; nothing was written
  if (err) return store_error("load failed", *err);
  return snapshot;
}

Status SqliteStore::read_all(ResourceSnapshot& out) {
  for (const auto& table : kTables) {
    auto stmt = Statement::prepare(
        db_, "SELECT id, body FROM " + std::string(table.table) + " ORDER BY rowid");
    if (!stmt) return stmt.error();
    for (;;) {
      auto step = stmt->step();
      if (!step) return step.error();
      if (*step == Statement::Step::done) break;
      if (auto err = decode_row(table.kind, stmt->column_text(0), stmt->column_text(1), key_, out))
        return err;
    }
  }
  return std::nullopt;
}

Status SqliteStore::commit(const ChangeSet& changes) {
  if (changes.empty()) return std::nullopt;
  if (auto err = apply(changes)) {
    db_.rollback_if_open();
    return store_error("commit failed, nothing was changed", *err);
  }
  return std::nullopt;
}

// Puts first, then deletes, the order MemoryStore applies them in.
Status SqliteStore::apply(const ChangeSet& changes) {
  std::vector<std::pair<const TableInfo*, Row>> rows;
  try {
    for (const auto& resource : changes.puts)
      rows.emplace_back(&table_of(kind_of(resource)), encode_row(resource, key_));
  } catch (const std::exception& e) {
    return store_error(std::string("cannot serialise a resource: ") + e.what());
  }

  if (auto err = db_.exec("BEGIN IMMEDIATE")) return err;
  for (const auto& [table, row] : rows)
    if (auto err = run(db_, upsert_sql(*table), {row.id, row.key, row.body})) return err;
  for (const auto& [kind, id] : changes.deletes)
    if (auto err =
            run(db_, "DELETE FROM " + std::string(table_of(kind).table) + " WHERE id = ?1", {id}))
      return err;
  return db_.exec("COMMIT");
}

}  // namespace vpngw
