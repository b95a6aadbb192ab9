// The database schema and how it evolves. Each change to the tables is a new
// Migration appended to kMigrations, never an edit of an old one: a database
// records in PRAGMA user_version how many steps it has applied, and opening
// it applies the rest, in order, in one transaction.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "control/api_error.hpp"
#include "control/store/sqlite_db.hpp"

namespace vpngw {

struct Migration {
  int version;           // the user_version the database has after this step
  std::string_view sql;  // the statements of the step
};

// Version 1: one table per resource kind. `id` is the resource ID, the second
// column a human-readable key for whoever inspects the file with sqlite3, and
// `body` the resource's JSON (model_json.hpp; tunnels add "psk_sealed").
inline constexpr std::array<Migration, 2> kMigrations{{
    {1, R"sql(
      CREATE TABLE vpcs (
        id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE gateways (
        id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE customer_gateways (
        id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE tunnels (
        id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE routes (
        id TEXT PRIMARY KEY NOT NULL, destination TEXT NOT NULL, body TEXT NOT NULL);
    )sql"},
    // Version 2: manually keyed SAs; the body adds "enc_key_sealed" and
    // "auth_key_sealed".
    {2, R"sql(
      CREATE TABLE static_sas (
        id TEXT PRIMARY KEY NOT NULL, tunnel_id TEXT NOT NULL, body TEXT NOT NULL);
    )sql"},
}};

// The schema version this build writes and the newest it can read.
inline constexpr int kSchemaVersion = kMigrations.back().version;

// Refuses a database written by a newer build: its tables may mean things we
// do not know, and writing to it could destroy them.
Status check_schema_version(int found, int supported = kSchemaVersion);

// Brings the database up to the last step of `steps`, which must be numbered
// 1, 2, 3... All steps run in one transaction: on error nothing changed.
Status migrate(SqliteDb& db, std::span<const Migration> steps = kMigrations);

}  // namespace vpngw
