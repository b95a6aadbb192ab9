// Manually keyed SAs in the store: keys sealed like PSKs, and a database
// written before static SAs existed (schema version 1) migrates on open.
#include <gtest/gtest.h>

#include "control/store/schema.hpp"
#include "control/store/sqlite_store.hpp"
#include "store_test_support.hpp"

namespace vpngw::test {
namespace {

StaticSa sample_sa() {
  StaticSa sa;
  sa.id = "sa-0badf00d";
  sa.tunnel_id = "vpnx-9c0d1e2f";
  sa.inbound = true;
  sa.spi = 0x1000;
  sa.encryption = Cipher::aes256;
  sa.integrity = Integrity::sha256;
  sa.enc_key = "6b6579206f6620746865207374617469632073612066726f6d2074686520746573";
  sa.auth_key = "617574682d6b65792d6f662d7468652d7374617469632d73612d746573742121";
  sa.udp_encap = true;
  sa.created_at = 1700000009;
  return sa;
}

TEST(StaticSaStore, RoundTripWithKeysSealed) {
  TempDir dir;
  const StaticSa sa = sample_sa();
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    ASSERT_FALSE(store->commit({.puts = {sa}}));
  }
  for (const char* file : {"vpngw.db", "vpngw.db-wal"}) {
    const std::string bytes = read_bytes(dir.file(file));
    EXPECT_EQ(bytes.find(sa.enc_key), std::string::npos) << file;
    EXPECT_EQ(bytes.find(sa.auth_key), std::string::npos) << file;
  }
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  auto loaded = store->load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->static_sas.size(), 1u);
  const StaticSa& got = loaded->static_sas[0];
  EXPECT_EQ(got.enc_key, sa.enc_key);
  EXPECT_EQ(got.auth_key, sa.auth_key);
  EXPECT_EQ(got.spi, sa.spi);
  EXPECT_TRUE(got.inbound);
  EXPECT_EQ(got.encryption, Cipher::aes256);
  EXPECT_EQ(got.integrity, Integrity::sha256);
  EXPECT_TRUE(got.udp_encap);

  StaticSa gcm = sa;
  gcm.id = "sa-0badf00e";
  gcm.encryption = Cipher::aes128gcm;
  gcm.integrity.reset();
  gcm.auth_key.clear();
  ASSERT_FALSE(store->commit({.puts = {gcm}, .deletes = {{ResourceKind::static_sa, sa.id}}}));
  loaded = store->load();
  ASSERT_EQ(loaded->static_sas.size(), 1u);
  EXPECT_FALSE(loaded->static_sas[0].integrity.has_value());
}

TEST(StaticSaStore, VersionOneDatabaseMigratesOnOpen) {
  TempDir dir;
  {
    // A database as the first release wrote it: schema version 1 only.
    auto db = SqliteDb::open(dir.db(), SqliteDb::Mode::create);
    ASSERT_TRUE(db.ok());
    ASSERT_FALSE(migrate(*db, std::span(kMigrations).first(1)));
    ASSERT_EQ(*db->query_int("PRAGMA user_version"), 1);
  }
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  ASSERT_FALSE(store->commit({.puts = {sample_sa()}}));
  EXPECT_EQ(store->load()->static_sas.size(), 1u);
  store.reset();
  auto db = SqliteDb::open(dir.db(), SqliteDb::Mode::read_write);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->query_int("PRAGMA user_version"), kSchemaVersion);
}

}  // namespace
}  // namespace vpngw::test
