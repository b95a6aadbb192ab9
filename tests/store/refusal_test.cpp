// Databases and key files SqliteStore must refuse, and refuse without
// changing a byte: corrupt or future databases, missing or exposed keys.
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/store/schema.hpp"
#include "control/store/sqlite_store.hpp"
#include "tests/store/store_test_support.hpp"

namespace vpngw::test {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Opening must fail with a message containing every one of `parts`.
void expect_refused(const TempDir& dir, std::initializer_list<std::string> parts) {
  auto store = SqliteStore::open(dir.path());
  ASSERT_FALSE(store.ok()) << "the store opened";
  EXPECT_EQ(store.error().code, ErrorCode::InternalError);
  for (const auto& part : parts)
    EXPECT_TRUE(contains(store.error().message, part)) << store.error().message;
}

void write_key(const TempDir& dir, const std::string& bytes, mode_t mode) {
  write_bytes(dir.key(), bytes);
  ASSERT_EQ(::chmod(dir.key().c_str(), mode), 0);
}

std::string random_bytes(size_t n) {
  std::string bytes(n, '\0');
  randombytes_buf(bytes.data(), n);
  return bytes;
}

// A closed store holding one tunnel (so a PSK sealed under psk.key).
void make_store_with_tunnel(const TempDir& dir) {
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  ChangeSet change;
  change.puts = {sample_tunnel()};
  ASSERT_FALSE(store->commit(change).has_value());
}

TEST(SqliteStoreRefuses, AMissingStateDirectory) {
  auto store = SqliteStore::open("/tmp/vpngw-store-test-no-such-directory");
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(contains(store.error().message, "state directory")) << store.error().message;
}

TEST(SqliteStoreRefuses, AMissingKeyWhenTunnelsAreStored) {
  TempDir dir;
  make_store_with_tunnel(dir);
  ASSERT_EQ(::unlink(dir.key().c_str()), 0);
  const std::string before = read_bytes(dir.db());

  expect_refused(dir, {dir.key(), "missing", "1 tunnel"});
  EXPECT_FALSE(exists(dir.key())) << "a new key was created";
  EXPECT_EQ(read_bytes(dir.db()), before);
}

TEST(SqliteStoreRefuses, NothingWhenTheKeyIsMissingButNoTunnelIsStored) {
  TempDir dir;
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    ChangeSet change;
    change.puts = {sample_vpc()};
    ASSERT_FALSE(store->commit(change).has_value());
  }
  ASSERT_EQ(::unlink(dir.key().c_str()), 0);

  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(read_bytes(dir.key()).size(), SealingKey::kSize);
  auto snapshot = store->load();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->vpcs.size(), 1u);
}

TEST(SqliteStoreRefuses, AKeyFileReadableByOthers) {
  TempDir dir;
  write_key(dir, random_bytes(32), 0640);
  expect_refused(dir, {dir.key(), "0640", "wider than 0600"});
  EXPECT_FALSE(exists(dir.db())) << "a database was created despite the refusal";
}

TEST(SqliteStoreRefuses, AKeyFileOfTheWrongSize) {
  TempDir dir;
  write_key(dir, random_bytes(31), 0600);
  expect_refused(dir, {dir.key(), "31 bytes"});
  EXPECT_EQ(read_bytes(dir.key()).size(), 31u);
}

TEST(SqliteStoreRefuses, ToLoadTunnelsSealedUnderAnotherKey) {
  TempDir dir;
  make_store_with_tunnel(dir);
  write_key(dir, random_bytes(32), 0600);

  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  auto snapshot = store->load();
  ASSERT_FALSE(snapshot.ok());
  const std::string& message = snapshot.error().message;
  EXPECT_TRUE(contains(message, "tunnels")) << message;
  EXPECT_TRUE(contains(message, sample_tunnel().id)) << message;
  EXPECT_TRUE(contains(message, "psk.key")) << message;
}

TEST(SqliteStoreRefuses, ARowThatDoesNotParseNamingTableAndId) {
  TempDir dir;
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    ChangeSet change;
    change.puts = {sample_vpc(), sample_gateway()};
    ASSERT_FALSE(store->commit(change).has_value());
  }
  exec_sql(dir.db(), "UPDATE gateways SET body = '{\"id\": \"vpngw-1a2b3c4d\", \"name\": 5}'");

  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  auto snapshot = store->load();
  ASSERT_FALSE(snapshot.ok());
  EXPECT_TRUE(contains(snapshot.error().message, "row 'vpngw-1a2b3c4d' of table gateways"))
      << snapshot.error().message;
}

TEST(SqliteStoreRefuses, ARowWhoseBodyHasAnotherId) {
  TempDir dir;
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    ChangeSet change;
    change.puts = {sample_vpc()};
    ASSERT_FALSE(store->commit(change).has_value());
  }
  exec_sql(dir.db(), "UPDATE vpcs SET id = 'vpc-ffffffff'");

  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  auto snapshot = store->load();
  ASSERT_FALSE(snapshot.ok());
  EXPECT_TRUE(contains(snapshot.error().message, "row 'vpc-ffffffff' of table vpcs"))
      << snapshot.error().message;
}

TEST(SqliteStoreRefuses, ANewerSchemaVersionAndLeavesItUntouched) {
  TempDir dir;
  exec_sql(dir.db(), "CREATE TABLE from_the_future (x TEXT); PRAGMA user_version = 7;");
  const std::string before = read_bytes(dir.db());

  expect_refused(dir, {"database schema version 7 is newer than this vpngwd supports (" +
                       std::to_string(kSchemaVersion) + "); refusing to open it"});
  EXPECT_EQ(read_bytes(dir.db()), before);
  EXPECT_FALSE(exists(dir.key())) << "a key was created for a refused database";
}

TEST(SqliteStoreRefuses, AFileOfRandomBytesAndLeavesItUntouched) {
  TempDir dir;
  write_bytes(dir.db(), random_bytes(16384));
  const std::string before = read_bytes(dir.db());

  expect_refused(dir, {dir.db(), "not a usable vpngw database"});
  EXPECT_EQ(read_bytes(dir.db()), before);
}

TEST(SqliteStoreRefuses, AnEmptyFile) {
  TempDir dir;
  write_bytes(dir.db(), "");
  expect_refused(dir, {dir.db(), "empty"});
  EXPECT_EQ(read_bytes(dir.db()), "");
}

// A closed store whose VPC table spreads over many pages; returns the file.
std::string make_large_store(const TempDir& dir) {
  auto store = open_store(dir);
  EXPECT_NE(store, nullptr);
  if (store == nullptr) return {};
  ChangeSet change;
  for (int i = 0; i < 200; ++i)
    change.puts.push_back(sample_vpc("vpc-" + std::to_string(10000000 + i),
                                     "vpc-with-a-long-name-" + std::string(100, 'x')));
  EXPECT_FALSE(store->commit(change).has_value());
  store.reset();
  std::string whole = read_bytes(dir.db());
  EXPECT_GT(whole.size(), 16u * 4096u);
  return whole;
}

TEST(SqliteStoreRefuses, ADamagedPageAndLeavesItUntouched) {
  TempDir dir;
  std::string damaged = make_large_store(dir);
  ASSERT_GT(damaged.size(), 16u * 4096u);
  // Page 1 (header, schema) and the tables' root pages stay intact, so only
  // the integrity check can notice: a VPC leaf page in the middle is garbage.
  const size_t page = 4096, middle = damaged.size() / page / 2;
  damaged.replace(middle * page, page, random_bytes(page));
  write_bytes(dir.db(), damaged);

  expect_refused(dir, {dir.db(), "not a usable vpngw database", "integrity check"});
  EXPECT_EQ(read_bytes(dir.db()), damaged);
}

TEST(SqliteStoreRefuses, ATruncatedDatabaseAndLeavesItUntouched) {
  TempDir dir;
  std::string whole = make_large_store(dir);
  ASSERT_GT(whole.size(), 16u * 4096u);
  const std::string truncated = whole.substr(0, whole.size() / 2);
  write_bytes(dir.db(), truncated);

  expect_refused(dir, {dir.db(), "not a usable vpngw database"});
  EXPECT_EQ(read_bytes(dir.db()), truncated);
}

TEST(SqliteStoreRefuses, AnOrphanedWriteAheadLog) {
  TempDir dir;
  write_bytes(dir.db() + "-wal", random_bytes(4096));
  expect_refused(dir, {"orphaned write-ahead log"});
  EXPECT_FALSE(exists(dir.db()));
}

}  // namespace
}  // namespace vpngw::test
