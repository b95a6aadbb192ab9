#include "control/store/schema.hpp"

#include <string>

namespace vpngw {

Status check_schema_version(int found, int supported) {
  if (found < 0)
    return store_error("database schema version " + std::to_string(found) +
                       " is not a version vpngwd ever wrote; refusing to open it");
  if (found > supported)
    return store_error("database schema version " + std::to_string(found) +
                       " is newer than this vpngwd supports (" + std::to_string(supported) +
                       "); refusing to open it");
  return std::nullopt;
}

Status migrate(SqliteDb& db, std::span<const Migration> steps) {
  for (size_t i = 0; i < steps.size(); ++i)
    if (steps[i].version != static_cast<int>(i) + 1)
      return store_error("migration steps are not numbered 1, 2, 3...");
  const int target = static_cast<int>(steps.size());

  // IMMEDIATE takes the write lock before reading the version, so the version
  // we read is the one the steps are applied to.
  if (auto err = db.exec("BEGIN IMMEDIATE"))
    return store_error("cannot start the schema migration", *err);
  auto fail = [&](const ApiError& err, const std::string& what) {
    db.rollback_if_open();
    return store_error(what, err);
  };

  auto found = db.query_int("PRAGMA user_version");
  if (!found) return fail(found.error(), "cannot read the schema version");
  if (auto err = check_schema_version(static_cast<int>(*found), target)) {
    db.rollback_if_open();
    return err;
  }
  for (const auto& step : steps.subspan(static_cast<size_t>(*found))) {
    if (auto err = db.exec(step.sql))
      return fail(*err, "schema migration to version " + std::to_string(step.version) + " failed");
  }
  // user_version lives in the file header, which is written in the same
  // transaction as the steps: either both land or neither does.
  if (auto err = db.exec("PRAGMA user_version = " + std::to_string(target)))
    return fail(*err, "cannot record the schema version");
  if (auto err = db.exec("COMMIT")) return fail(*err, "cannot commit the schema migration");
  return std::nullopt;
}

}  // namespace vpngw
