// The control-thread API of SaTables and the lookups workers use, one
// behaviour at a time, single-threaded (the stress test does the races).
#include "dataplane/tables/sa_tables.hpp"

#include <gtest/gtest.h>
#include <rte_byteorder.h>
#include <unistd.h>

#include <array>
#include <string>
#include <vector>

#include "tests/dataplane/tables/test_sa_params.hpp"

namespace vpngw::dataplane::test {
namespace {

// DPDK object names must be unique in the process: one name per table.
std::string unique_name() {
  static int counter = 0;
  return "tt" + std::to_string(getpid() % 10000) + "_" + std::to_string(counter++);
}

SaTablesConfig small_config(uint32_t workers = 2) {
  SaTablesConfig c;
  c.name = unique_name();
  c.workers = workers;
  c.inbound_capacity = 8;
  c.outbound_slots = 4;
  return c;
}

std::unique_ptr<SaTables> make_tables(SaTablesConfig config) {
  std::string error;
  auto t = SaTables::create(std::move(config), &error);
  EXPECT_NE(t, nullptr) << error;
  return t;
}

SaParams inbound(uint32_t spi, uint32_t sa_id) {
  return table_test_params(SaDirection::inbound, spi, sa_id);
}
SaParams outbound(uint32_t spi, uint32_t sa_id) {
  return table_test_params(SaDirection::outbound, spi, sa_id);
}

TEST(SaTables, InboundInstallIsFoundBySpiAndDestination) {
  auto t = make_tables(small_config());
  std::string error;
  ASSERT_TRUE(t->install_inbound(inbound(0x1000, 7), 1, &error)) << error;

  const SaRef<InboundSa> ref = t->inbound().lookup(inbound_key(0x1000, kTablesOurAddr));
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref.sa()->sa_id, 7u);
  EXPECT_EQ(ref.sa()->spi_be, rte_cpu_to_be_32(0x1000));
  EXPECT_EQ(ref.owner(), 1);
  EXPECT_EQ(t->find_inbound(0x1000, kTablesOurAddr), ref.sa());
  // Same SPI towards another of our addresses, or another SPI: no SA.
  EXPECT_FALSE(t->inbound().lookup(inbound_key(0x1000, kTablesPeerAddr)));
  EXPECT_FALSE(t->inbound().lookup(inbound_key(0x1001, kTablesOurAddr)));
  EXPECT_EQ(t->inbound_count(), 1u);
}

TEST(SaTables, InboundReplaceSwapsTheObjectAndRetiresTheOldOne) {
  std::vector<uint32_t> retired;
  SaTablesConfig config = small_config();
  config.on_inbound_retired = [&](const InboundSa& sa) { retired.push_back(sa.sa_id); };
  auto t = make_tables(std::move(config));
  std::string error;
  ASSERT_TRUE(t->install_inbound(inbound(0x2000, 1), 0, &error)) << error;
  const InboundSa* first = t->find_inbound(0x2000, kTablesOurAddr);
  ASSERT_TRUE(t->install_inbound(inbound(0x2000, 2), 1, &error)) << error;

  const SaRef<InboundSa> ref = t->inbound().lookup(inbound_key(0x2000, kTablesOurAddr));
  ASSERT_TRUE(ref);
  EXPECT_NE(ref.sa(), first);
  EXPECT_EQ(ref.sa()->sa_id, 2u);
  EXPECT_EQ(ref.owner(), 1);
  // Retired, not yet destroyed: a worker may still hold it.
  EXPECT_EQ(t->retiring(), 1u);
  EXPECT_TRUE(retired.empty());
  t->reclaim_all();
  EXPECT_EQ(retired, std::vector<uint32_t>{1});
  EXPECT_EQ(t->retiring(), 0u);
  EXPECT_EQ(t->inbound_count(), 1u);
}

TEST(SaTables, InboundRemoveUnlinksAndRetires) {
  std::vector<uint32_t> retired;
  SaTablesConfig config = small_config();
  config.on_inbound_retired = [&](const InboundSa& sa) { retired.push_back(sa.sa_id); };
  auto t = make_tables(std::move(config));
  std::string error;
  ASSERT_TRUE(t->install_inbound(inbound(0x3000, 5), 0, &error)) << error;
  EXPECT_TRUE(t->remove_inbound(0x3000, kTablesOurAddr));
  EXPECT_FALSE(t->inbound().lookup(inbound_key(0x3000, kTablesOurAddr)));
  // No worker is online, so the grace period is already over.
  EXPECT_EQ(t->reclaim(), 0u);
  EXPECT_EQ(retired, std::vector<uint32_t>{5});
  EXPECT_FALSE(t->remove_inbound(0x3000, kTablesOurAddr));
  EXPECT_EQ(t->inbound_count(), 0u);
}

TEST(SaTables, RemovedKeySlotsAreReusable) {
  // LF mode keeps a deleted key's slot until release_slot(): if SaTables
  // forgot it, the table would fill up after `capacity` removals.
  auto t = make_tables(small_config());
  std::string error;
  for (uint32_t round = 0; round < 40; ++round) {
    ASSERT_TRUE(t->install_inbound(inbound(0x4000 + round, round), 0, &error)) << round << error;
    ASSERT_TRUE(t->remove_inbound(0x4000 + round, kTablesOurAddr));
    if (round % 2 == 0) t->reclaim();  // else the full table forces a reclaim itself
  }
  t->reclaim_all();
  EXPECT_EQ(t->inbound_count(), 0u);
}

TEST(SaTables, FullInboundTableRefusesWithoutChange) {
  auto t = make_tables(small_config());
  std::string error;
  for (uint32_t k = 0; k < 8; ++k) {
    ASSERT_TRUE(t->install_inbound(inbound(0x5000 + k, k), 0, &error)) << error;
  }
  EXPECT_FALSE(t->install_inbound(inbound(0x5100, 99), 0, &error));
  EXPECT_NE(error.find("full"), std::string::npos) << error;
  EXPECT_FALSE(t->inbound().lookup(inbound_key(0x5100, kTablesOurAddr)));
  // Replacing an existing key still works at capacity.
  EXPECT_TRUE(t->install_inbound(inbound(0x5000, 100), 1, &error)) << error;
  EXPECT_EQ(t->find_inbound(0x5000, kTablesOurAddr)->sa_id, 100u);
}

TEST(SaTables, InvalidParamsOrOwnerLeaveTheInstalledSa) {
  auto t = make_tables(small_config());
  std::string error;
  ASSERT_TRUE(t->install_inbound(inbound(0x6000, 1), 0, &error)) << error;

  SaParams bad = inbound(0x6000, 2);
  bad.cipher_key_len = 3;
  EXPECT_FALSE(t->install_inbound(bad, 0, &error));
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_FALSE(t->install_inbound(inbound(0x6000, 3), 2, &error));  // only workers 0 and 1
  EXPECT_NE(error.find("owner"), std::string::npos) << error;
  EXPECT_FALSE(t->install_inbound(outbound(0x6000, 4), 0, &error));  // wrong direction

  EXPECT_EQ(t->find_inbound(0x6000, kTablesOurAddr)->sa_id, 1u);
}

TEST(SaTables, InboundBurstLookupMixesHitsAndMisses) {
  auto t = make_tables(small_config());
  std::string error;
  ASSERT_TRUE(t->install_inbound(inbound(0x7000, 1), 0, &error)) << error;
  ASSERT_TRUE(t->install_inbound(inbound(0x7002, 3), 1, &error)) << error;
  const std::array<InboundKey, 4> keys{inbound_key(0x7000, kTablesOurAddr),
                                       inbound_key(0x7001, kTablesOurAddr),
                                       inbound_key(0x7002, kTablesOurAddr),
                                       inbound_key(0x7000, kTablesPeerAddr)};
  std::array<const InboundKey*, 4> key_ptrs{&keys[0], &keys[1], &keys[2], &keys[3]};
  std::array<SaRef<InboundSa>, 4> out;
  t->inbound().lookup_burst(key_ptrs.data(), 4, out.data());
  ASSERT_TRUE(out[0]);
  EXPECT_EQ(out[0].sa()->sa_id, 1u);
  EXPECT_EQ(out[0].owner(), 0);
  EXPECT_FALSE(out[1]);
  ASSERT_TRUE(out[2]);
  EXPECT_EQ(out[2].sa()->sa_id, 3u);
  EXPECT_EQ(out[2].owner(), 1);
  EXPECT_FALSE(out[3]);
}

TEST(SaTables, OutboundSlotInstallReplaceRemove) {
  std::vector<uint32_t> retired;
  SaTablesConfig config = small_config();
  config.on_outbound_retired = [&](const OutboundSa& sa) { retired.push_back(sa.sa_id); };
  auto t = make_tables(std::move(config));
  std::string error;
  EXPECT_FALSE(t->outbound().get(2));
  ASSERT_TRUE(t->install_outbound(2, outbound(0x8000, 1), 1, &error)) << error;
  SaRef<OutboundSa> ref = t->outbound().get(2);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref.sa()->sa_id, 1u);
  EXPECT_EQ(ref.owner(), 1);
  EXPECT_EQ(ref.sa()->spi_be, rte_cpu_to_be_32(0x8000));

  SaParams next = outbound(0x8001, 2);
  next.start_seq = 500;  // a takeover continues the old numbering
  ASSERT_TRUE(t->install_outbound(2, next, 0, &error)) << error;
  ref = t->outbound().get(2);
  EXPECT_EQ(ref.sa()->sa_id, 2u);
  EXPECT_EQ(ref.owner(), 0);
  EXPECT_EQ(ref.sa()->seq.load(), 500u);
  t->reclaim();
  EXPECT_EQ(retired, std::vector<uint32_t>{1});

  EXPECT_TRUE(t->remove_outbound(2));
  EXPECT_FALSE(t->outbound().get(2));
  t->reclaim();
  EXPECT_EQ(retired, (std::vector<uint32_t>{1, 2}));
  EXPECT_FALSE(t->remove_outbound(2));
  EXPECT_FALSE(t->remove_outbound(4));  // out of range
  EXPECT_FALSE(t->install_outbound(4, outbound(0x8002, 3), 0, &error));
  EXPECT_NE(error.find("out of range"), std::string::npos) << error;
}

TEST(SaTables, OneOutboundSaSharedBySlotsIsRetiredWithItsLastSlot) {
  // A CHILD_SA serving several SPD pairs: one object (one sequence counter)
  // in several slots, retired only when no slot holds it.
  std::vector<uint32_t> retired;
  SaTablesConfig config = small_config();
  config.on_outbound_retired = [&](const OutboundSa& sa) { retired.push_back(sa.sa_id); };
  auto t = make_tables(std::move(config));
  std::string error;
  const uint32_t three[] = {0, 1, 3};
  ASSERT_TRUE(t->install_outbound(three, outbound(0x8100, 1), 0, &error)) << error;
  const OutboundSa* shared = t->find_outbound(0);
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(t->find_outbound(1), shared);
  EXPECT_EQ(t->find_outbound(3), shared);
  EXPECT_EQ(t->find_outbound(2), nullptr);
  EXPECT_EQ(t->outbound_refs(shared), 3u);

  // A rekey of the child that serves slots 0 and 1 only: slot 3 keeps the
  // old object, which stays alive.
  const uint32_t two[] = {0, 1};
  ASSERT_TRUE(t->install_outbound(two, outbound(0x8101, 2), 0, &error)) << error;
  EXPECT_EQ(t->find_outbound(0)->sa_id, 2u);
  EXPECT_EQ(t->find_outbound(1), t->find_outbound(0));
  EXPECT_EQ(t->find_outbound(3), shared);
  EXPECT_EQ(t->outbound_refs(shared), 1u);
  EXPECT_EQ(t->outbound_refs(t->find_outbound(0)), 2u);
  t->reclaim();
  EXPECT_TRUE(retired.empty());

  EXPECT_TRUE(t->remove_outbound(3));
  t->reclaim();
  EXPECT_EQ(retired, std::vector<uint32_t>{1});
  EXPECT_TRUE(t->remove_outbound(0));
  t->reclaim();
  EXPECT_EQ(retired, std::vector<uint32_t>{1});  // slot 1 still holds SA 2
  EXPECT_EQ(t->find_outbound(1)->sa_id, 2u);
  EXPECT_TRUE(t->remove_outbound(1));
  t->reclaim();
  EXPECT_EQ(retired, (std::vector<uint32_t>{1, 2}));

  // Bad slot lists change nothing.
  const uint32_t dup[] = {2, 2};
  EXPECT_FALSE(t->install_outbound(dup, outbound(0x8102, 3), 0, &error));
  EXPECT_NE(error.find("twice"), std::string::npos) << error;
  const uint32_t past[] = {2, 4};
  EXPECT_FALSE(t->install_outbound(past, outbound(0x8102, 3), 0, &error));
  EXPECT_EQ(t->find_outbound(2), nullptr);
  EXPECT_FALSE(t->install_outbound(std::span<const uint32_t>{}, outbound(0x8102, 3), 0, &error));
}

TEST(SaTables, DestroyingTheTablesFreesWhatIsInstalled) {
  // Under ASan a leak here fails the run; the hook must not be called
  // (these SAs are not retired, the whole dataplane is going away).
  int retired = 0;
  SaTablesConfig config = small_config();
  config.on_inbound_retired = [&](const InboundSa&) { ++retired; };
  auto t = make_tables(std::move(config));
  std::string error;
  ASSERT_TRUE(t->install_inbound(inbound(0x9000, 1), 0, &error)) << error;
  ASSERT_TRUE(t->install_outbound(0, outbound(0x9001, 2), 0, &error)) << error;
  const uint32_t shared_slots[] = {1, 2, 3};  // one object, freed once
  ASSERT_TRUE(t->install_outbound(shared_slots, outbound(0x9002, 3), 0, &error)) << error;
  t.reset();
  EXPECT_EQ(retired, 0);
}

TEST(SaTables, RetiredSaOutlivesAnOnlineWorkerUntilItIsQuiescent) {
  // A worker that is online and has not reported a quiescent state since
  // the removal may hold the old SA: it must stay intact until it reports.
  std::vector<uint32_t> retired;
  SaTablesConfig config = small_config(2);
  config.on_inbound_retired = [&](const InboundSa& sa) { retired.push_back(sa.sa_id); };
  auto t = make_tables(std::move(config));
  std::string error;
  ASSERT_TRUE(t->install_inbound(inbound(0xA000, 1), 0, &error)) << error;
  t->rcu().online(0);
  t->rcu().online(1);
  const SaRef<InboundSa> held = t->inbound().lookup(inbound_key(0xA000, kTablesOurAddr));
  ASSERT_TRUE(held);
  ASSERT_TRUE(t->remove_inbound(0xA000, kTablesOurAddr));

  EXPECT_EQ(t->reclaim(), 1u);
  t->rcu().quiescent(0);
  EXPECT_EQ(t->reclaim(), 1u);  // worker 1 has not reported yet
  EXPECT_TRUE(retired.empty());
  EXPECT_EQ(held.sa()->sa_id, 1u);  // still intact, not freed
  t->rcu().quiescent(1);
  EXPECT_EQ(t->reclaim(), 0u);
  EXPECT_EQ(retired, std::vector<uint32_t>{1});
  t->rcu().offline(0);
  t->rcu().offline(1);
}

TEST(SaTables, OfflineWorkersDoNotHoldUpReclaim) {
  auto t = make_tables(small_config(2));
  std::string error;
  ASSERT_TRUE(t->install_outbound(0, outbound(0xB000, 1), 0, &error)) << error;
  t->rcu().online(0);
  t->rcu().offline(0);  // a sleeping worker
  ASSERT_TRUE(t->remove_outbound(0));
  EXPECT_EQ(t->reclaim(), 0u);
}

}  // namespace
}  // namespace vpngw::dataplane::test
