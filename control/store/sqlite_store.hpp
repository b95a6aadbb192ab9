// The production Store: SQLite in WAL mode with synchronous=FULL, one table
// per resource kind, tunnel PSKs sealed under a key kept beside the database.
// A commit is one transaction, synced before it returns; a database this
// build cannot trust (corrupt, or from a newer build) is refused untouched.
#pragma once

#include <memory>
#include <string>

#include "control/store.hpp"
#include "control/store/secret_box.hpp"
#include "control/store/sqlite_db.hpp"

namespace vpngw {

// Not thread-safe: it has one owner, the control thread.
class SqliteStore final : public Store {
 public:
  static constexpr const char* kDatabaseFile = "vpngw.db";
  static constexpr const char* kKeyFile = "psk.key";

  // Opens or creates <state_dir>/vpngw.db and <state_dir>/psk.key. state_dir must exist.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& state_dir);

  Result<ResourceSnapshot> load() override;
  Status commit(const ChangeSet& changes) override;
  ~SqliteStore() override;

 private:
  SqliteStore(SqliteDb db, SealingKey key) : db_(std::move(db)), key_(std::move(key)) {}

  Status read_all(ResourceSnapshot& out);
  Status apply(const ChangeSet& changes);

  SqliteDb db_;
  SealingKey key_;
};

}  // namespace vpngw
