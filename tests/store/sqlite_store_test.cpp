// SqliteStore as the service uses it: commits that round-trip, replace and
// delete, fail whole, survive a reopen, and never put a PSK on disk in clear.
#include "control/store/sqlite_store.hpp"

#include <sys/stat.h>

#include "tests/store/store_test_support.hpp"

namespace vpngw::test {
namespace {

TEST(SqliteStore, NewStoreLoadsEmpty) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  auto snapshot = store->load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  expect_same(*snapshot, ResourceSnapshot{});
  EXPECT_TRUE(exists(dir.db()));
}

TEST(SqliteStore, RoundTripsEveryResourceKind) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  ASSERT_FALSE(store->commit(one_of_each()).has_value());

  auto snapshot = store->load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  expect_same(*snapshot, one_of_each_snapshot());
}

TEST(SqliteStore, ReopenKeepsEverything) {
  TempDir dir;
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    ASSERT_FALSE(store->commit(one_of_each()).has_value());
  }
  auto reopened = open_store(dir);
  ASSERT_NE(reopened, nullptr);
  auto snapshot = reopened->load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  expect_same(*snapshot, one_of_each_snapshot());
}

TEST(SqliteStore, PutReplacesByIdAndDeleteRemoves) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  ChangeSet create;
  create.puts = {sample_vpc("vpc-aaaaaaaa", "a"), sample_vpc("vpc-bbbbbbbb", "b"),
                 sample_vpc("vpc-cccccccc", "c"), sample_tunnel()};
  ASSERT_FALSE(store->commit(create).has_value());

  Tunnel rekeyed = sample_tunnel();
  rekeyed.psk = "a-new-psk";
  rekeyed.connection = ConnectionStatus::connected;
  ChangeSet modify;
  modify.puts = {sample_vpc("vpc-aaaaaaaa", "a-renamed"), rekeyed};
  modify.deletes = {{ResourceKind::vpc, "vpc-bbbbbbbb"},
                    {ResourceKind::route, "rt-notthere"}};  // unknown ids are ignored
  ASSERT_FALSE(store->commit(modify).has_value());

  auto snapshot = store->load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  // A replaced resource keeps its place: load() lists in creation order.
  ASSERT_EQ(snapshot->vpcs.size(), 2u);
  EXPECT_EQ(snapshot->vpcs[0].id, "vpc-aaaaaaaa");
  EXPECT_EQ(snapshot->vpcs[0].name, "a-renamed");
  EXPECT_EQ(snapshot->vpcs[1].id, "vpc-cccccccc");
  ASSERT_EQ(snapshot->tunnels.size(), 1u);
  expect_same(snapshot->tunnels[0], rekeyed);
}

TEST(SqliteStore, PutThenDeleteInOneChangeSetDeletes) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  ChangeSet both;
  both.puts = {sample_route()};
  both.deletes = {{ResourceKind::route, sample_route().id}};
  ASSERT_FALSE(store->commit(both).has_value());
  auto snapshot = store->load();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE(snapshot->routes.empty());
}

// One item of the change set fails inside the transaction, after earlier
// puts and a delete have already run: none of them may remain.
TEST(SqliteStore, ChangeSetWithAFailingItemAppliesNothing) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  ASSERT_FALSE(store->commit(one_of_each()).has_value());

  // Another connection makes deleting this customer gateway fail, the way a
  // full disk or an I/O error would fail a statement half-way through.
  exec_sql(dir.db(),
           "CREATE TRIGGER refuse_delete BEFORE DELETE ON customer_gateways "
           "WHEN OLD.id = 'cgw-5e6f7a8b' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");

  Tunnel changed = sample_tunnel();
  changed.psk = "changed-psk";
  ChangeSet doomed;
  doomed.puts = {sample_vpc("vpc-99999999", "new-vpc"), sample_vpc("vpc-0a1b2c3d", "renamed"),
                 changed};
  doomed.deletes = {{ResourceKind::route, sample_route().id},
                    {ResourceKind::customer_gateway, "cgw-5e6f7a8b"}};
  auto err = store->commit(doomed);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code, ErrorCode::InternalError);
  EXPECT_NE(err->message.find("injected failure"), std::string::npos) << err->message;

  auto snapshot = store->load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  expect_same(*snapshot, one_of_each_snapshot());

  // The failure did not leave a transaction open: the next commit works.
  ChangeSet next;
  next.puts = {sample_vpc("vpc-99999999", "new-vpc")};
  ASSERT_FALSE(store->commit(next).has_value());
  snapshot = store->load();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->vpcs.size(), 2u);
}

TEST(SqliteStore, PskNeverReachesTheDiskInClear) {
  TempDir dir;
  const std::string psk = "Distinctive-PSK-4e1c9b0a7d";
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  ChangeSet change;
  change.puts = {sample_tunnel("vpnx-11112222", psk)};
  ASSERT_FALSE(store->commit(change).has_value());

  // Before any checkpoint the transaction is in the log; afterwards in the
  // main file. The tunnel's name proves the raw search finds clear text.
  auto on_disk = [&] { return read_bytes(dir.db()) + read_bytes(dir.db() + "-wal"); };
  std::string live = on_disk();
  EXPECT_NE(live.find("to-branch"), std::string::npos);
  EXPECT_NE(live.find("psk_sealed"), std::string::npos);
  EXPECT_EQ(live.find(psk), std::string::npos);

  store.reset();
  std::string closed = on_disk();
  EXPECT_NE(closed.find("to-branch"), std::string::npos);
  EXPECT_EQ(closed.find(psk), std::string::npos);
  EXPECT_EQ(read_bytes(dir.key()).find(psk), std::string::npos);

  auto reopened = open_store(dir);
  ASSERT_NE(reopened, nullptr);
  auto snapshot = reopened->load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  ASSERT_EQ(snapshot->tunnels.size(), 1u);
  EXPECT_EQ(snapshot->tunnels[0].psk, psk);
}

TEST(SqliteStore, FilesAreCreatedPrivateWhateverTheUmask) {
  TempDir dir;
  mode_t old_umask = ::umask(0);
  auto store = SqliteStore::open(dir.path());
  ::umask(old_umask);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_FALSE((*store)->commit(one_of_each()).has_value());

  struct stat st {};
  ASSERT_EQ(::stat(dir.key().c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  EXPECT_FALSE(exists(dir.key() + ".tmp"));

  for (const std::string& file : {dir.db(), dir.db() + "-wal"}) {
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 07777, 0600u) << file;
  }
}

}  // namespace
}  // namespace vpngw::test
