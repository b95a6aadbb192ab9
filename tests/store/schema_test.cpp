// The migration mechanism: steps run in order, once, all in one transaction.
#include "control/store/schema.hpp"

#include "control/store/sqlite_store.hpp"
#include "tests/store/store_test_support.hpp"

namespace vpngw::test {
namespace {

int64_t user_version(SqliteDb& db) {
  auto v = db.query_int("PRAGMA user_version");
  EXPECT_TRUE(v.ok());
  return v.ok() ? *v : -1;
}

bool has_table(SqliteDb& db, const std::string& name) {
  auto n = db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                        name + "'");
  EXPECT_TRUE(n.ok());
  return n.ok() && *n == 1;
}

TEST(Schema, FailingStepLeavesTheDatabaseAsItWas) {
  TempDir dir;
  auto db = SqliteDb::open(dir.file("m.db"), SqliteDb::Mode::create);
  ASSERT_TRUE(db.ok());
  const std::array<Migration, 2> steps{{
      {1, "CREATE TABLE first (x TEXT);"},
      {2, "CREATE TABLE second (x TEXT); THIS IS NOT SQL;"},
  }};
  auto err = migrate(*db, steps);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("version 2"), std::string::npos) << err->message;
  EXPECT_EQ(user_version(*db), 0);
  EXPECT_FALSE(has_table(*db, "first"));
  EXPECT_FALSE(has_table(*db, "second"));
}

TEST(Schema, AppliesOnlyTheStepsNotYetApplied) {
  TempDir dir;
  auto db = SqliteDb::open(dir.file("m.db"), SqliteDb::Mode::create);
  ASSERT_TRUE(db.ok());
  const std::array<Migration, 2> steps{{
      {1, "CREATE TABLE first (x TEXT);"},
      {2, "CREATE TABLE second (x TEXT);"},
  }};
  ASSERT_FALSE(migrate(*db, std::span(steps).first(1)).has_value());
  EXPECT_EQ(user_version(*db), 1);
  EXPECT_TRUE(has_table(*db, "first"));
  EXPECT_FALSE(has_table(*db, "second"));

  // Step 1 would fail if it ran again ("table first already exists").
  auto err = migrate(*db, steps);
  ASSERT_FALSE(err.has_value()) << err->message;
  EXPECT_EQ(user_version(*db), 2);
  EXPECT_TRUE(has_table(*db, "second"));

  // Already current: nothing to do, and nothing fails.
  ASSERT_FALSE(migrate(*db, steps).has_value());
  EXPECT_EQ(user_version(*db), 2);
}

TEST(Schema, RefusesStepsThatAreNotNumberedInOrder) {
  TempDir dir;
  auto db = SqliteDb::open(dir.file("m.db"), SqliteDb::Mode::create);
  ASSERT_TRUE(db.ok());
  const std::array<Migration, 2> steps{{{1, "CREATE TABLE a (x);"}, {3, "CREATE TABLE b (x);"}}};
  EXPECT_TRUE(migrate(*db, steps).has_value());
  EXPECT_FALSE(has_table(*db, "a"));
}

TEST(Schema, RefusesToMigrateADatabaseNewerThanItsSteps) {
  TempDir dir;
  auto db = SqliteDb::open(dir.file("m.db"), SqliteDb::Mode::create);
  ASSERT_TRUE(db.ok());
  ASSERT_FALSE(db->exec("PRAGMA user_version = 5").has_value());
  auto err = migrate(*db, kMigrations);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("version 5 is newer"), std::string::npos) << err->message;
  EXPECT_EQ(user_version(*db), 5);
  EXPECT_FALSE(has_table(*db, "vpcs"));
}

// A database an older build left at version 0 (no tables yet) is brought
// up to date on open, and keeps what it had.
TEST(Schema, StoreUpgradesAnOlderDatabaseOnOpen) {
  TempDir dir;
  exec_sql(dir.db(),
           "CREATE TABLE operator_notes (text TEXT); "
           "INSERT INTO operator_notes VALUES ('keep me');");
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    ChangeSet change;
    change.puts = {sample_vpc()};
    ASSERT_FALSE(store->commit(change).has_value());
  }
  auto db = SqliteDb::open(dir.db(), SqliteDb::Mode::read_only);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(user_version(*db), kSchemaVersion);
  auto kept = db->query_text("SELECT text FROM operator_notes");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, "keep me");
  auto journal = db->query_text("PRAGMA journal_mode");
  ASSERT_TRUE(journal.ok());
  EXPECT_EQ(*journal, "wal");
}

}  // namespace
}  // namespace vpngw::test
