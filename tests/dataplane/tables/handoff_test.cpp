// HandoffRings: packets reach the owner in order, a full ring drops and
// counts against the sender instead of blocking, leftovers are freed.
#include "dataplane/tables/handoff.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <string>

#include "tests/dataplane/tables/tables_env.hpp"

namespace vpngw::dataplane::test {
namespace {

std::string unique_name() {
  static int counter = 0;
  return "ho" + std::to_string(getpid() % 10000) + "_" + std::to_string(counter++);
}

std::unique_ptr<HandoffRings> make_rings(uint32_t workers, uint32_t size) {
  std::string error;
  auto r = HandoffRings::create(unique_name(), workers, size, SOCKET_ID_ANY, &error);
  EXPECT_NE(r, nullptr) << error;
  return r;
}

TEST(HandoffRings, DeliversToTheOwnerInOrder) {
  auto rings = make_rings(3, 16);
  std::array<rte_mbuf*, 4> pkts{};
  ASSERT_EQ(rte_pktmbuf_alloc_bulk(tables_pool(), pkts.data(), 4), 0);
  EXPECT_EQ(rings->send(0, 2, pkts.data(), 4), 4);

  std::array<rte_mbuf*, 8> got{};
  EXPECT_EQ(rings->receive(1, got.data(), 8), 0);  // not for worker 1
  ASSERT_EQ(rings->receive(2, got.data(), 8), 4);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(got[k], pkts[k]);
  EXPECT_EQ(rings->dropped(0), 0u);
  rte_pktmbuf_free_bulk(got.data(), 4);
}

TEST(HandoffRings, FullRingDropsFreesAndCountsAgainstTheSender) {
  auto rings = make_rings(2, 8);  // holds 7
  const unsigned free_before = rte_mempool_avail_count(tables_pool());
  std::array<rte_mbuf*, 10> pkts{};
  ASSERT_EQ(rte_pktmbuf_alloc_bulk(tables_pool(), pkts.data(), 10), 0);
  EXPECT_EQ(rings->send(1, 0, pkts.data(), 10), 7);
  EXPECT_EQ(rings->dropped(1), 3u);
  EXPECT_EQ(rings->dropped(0), 0u);
  // The 3 dropped packets went back to the pool; the 7 queued did not.
  EXPECT_EQ(rte_mempool_avail_count(tables_pool()), free_before - 7);
  rings.reset();  // frees the 7 still queued
  EXPECT_EQ(rte_mempool_avail_count(tables_pool()), free_before);
}

TEST(HandoffRings, RejectsBadSizes) {
  std::string error;
  EXPECT_EQ(HandoffRings::create(unique_name(), 2, 100, SOCKET_ID_ANY, &error), nullptr);
  EXPECT_NE(error.find("power of two"), std::string::npos) << error;
  EXPECT_EQ(HandoffRings::create(unique_name(), kMaxWorkers + 1, 64, SOCKET_ID_ANY, &error),
            nullptr);
}

}  // namespace
}  // namespace vpngw::dataplane::test
