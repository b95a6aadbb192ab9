// The lock-free tables the control thread writes and workers read, and the
// counter summation.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <thread>

#include "dataplane/io/address_set.hpp"
#include "dataplane/io/io_counters.hpp"
#include "dataplane/io/neighbour_table.hpp"

namespace vpngw::dataplane::io::test {
namespace {

Ipv4Addr ip(const char* s) { return *Ipv4Addr::parse(s); }

TEST(AddressSet, AddRemoveAndManyConsecutiveAddresses) {
  AddressSet set;
  EXPECT_FALSE(set.contains(ip("198.51.100.10")));
  EXPECT_TRUE(set.add(ip("198.51.100.10")));
  EXPECT_TRUE(set.add(ip("198.51.100.10")));  // idempotent
  EXPECT_EQ(set.size(), 1u);
  EXPECT_TRUE(set.contains(ip("198.51.100.10")));
  EXPECT_FALSE(set.contains(ip("198.51.100.11")));
  EXPECT_TRUE(set.remove(ip("198.51.100.10")));
  EXPECT_FALSE(set.contains(ip("198.51.100.10")));
  EXPECT_FALSE(set.remove(ip("198.51.100.10")));
  EXPECT_FALSE(set.add(Ipv4Addr{0}));

  for (uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(set.add(Ipv4Addr{0xC6120000u + i}));
  for (uint32_t i = 0; i < 1000; i += 2) ASSERT_TRUE(set.remove(Ipv4Addr{0xC6120000u + i}));
  for (uint32_t i = 0; i < 1000; ++i)
    EXPECT_EQ(set.contains(Ipv4Addr{0xC6120000u + i}), i % 2 == 1) << i;
  EXPECT_EQ(set.size(), 500u);
}

TEST(NeighbourTable, LearnUpdateForget) {
  NeighbourTable t;
  const rte_ether_addr a{{0x02, 1, 2, 3, 4, 5}};
  const rte_ether_addr b{{0x02, 9, 8, 7, 6, 5}};
  rte_ether_addr got{};
  EXPECT_FALSE(t.lookup(ip("198.51.100.254"), &got));
  ASSERT_TRUE(t.learn(ip("198.51.100.254"), a));
  ASSERT_TRUE(t.lookup(ip("198.51.100.254"), &got));
  EXPECT_TRUE(rte_is_same_ether_addr(&got, &a));
  ASSERT_TRUE(t.learn(ip("198.51.100.254"), b));
  ASSERT_TRUE(t.lookup(ip("198.51.100.254"), &got));
  EXPECT_TRUE(rte_is_same_ether_addr(&got, &b));
  EXPECT_EQ(t.size(), 1u);
  t.forget(ip("198.51.100.254"));
  EXPECT_FALSE(t.lookup(ip("198.51.100.254"), &got));
  EXPECT_FALSE(t.lookup(ip("198.51.100.253"), &got));
}

// A reader racing the writer sees one of the MACs ever written, never a mix,
// and an address that stays in the set is always found.
TEST(LockFreeTables, ReadersNeverSeeTornEntries) {
  NeighbourTable t;
  AddressSet set;
  const rte_ether_addr a{{0x02, 0x11, 0x11, 0x11, 0x11, 0x11}};
  const rte_ether_addr b{{0x02, 0x22, 0x22, 0x22, 0x22, 0x22}};
  ASSERT_TRUE(t.learn(ip("198.51.100.254"), a));
  ASSERT_TRUE(set.add(ip("198.51.100.10")));
  std::atomic<bool> done{false};
  std::atomic<uint64_t> bad{0};
  std::thread reader([&] {
    rte_ether_addr got{};
    while (!done.load(std::memory_order_relaxed)) {
      if (!t.lookup(ip("198.51.100.254"), &got) ||
          (!rte_is_same_ether_addr(&got, &a) && !rte_is_same_ether_addr(&got, &b)))
        bad.fetch_add(1, std::memory_order_relaxed);
      if (!set.contains(ip("198.51.100.10"))) bad.fetch_add(1, std::memory_order_relaxed);
    }
  });
  for (uint32_t i = 0; i < 200000; ++i) {
    t.learn(ip("198.51.100.254"), i % 2 == 0 ? b : a);
    t.learn(Ipv4Addr{0xC6336400u + (i % 500) + 1}, a);  // other entries come and go
    const Ipv4Addr other{0xC6336500u + (i % 300)};
    if (i % 2 == 0) set.add(other); else set.remove(other);
  }
  done.store(true);
  reader.join();
  EXPECT_EQ(bad.load(), 0u);
}

TEST(IoCounters, SumAddsEveryWorker) {
  std::array<WorkerIoCounters, 2> w{};
  w[0].ports[1].rx_packets = 3;
  w[1].ports[1].rx_packets = 4;
  w[0].drop(DropReason::no_neighbour);
  w[1].drop(DropReason::no_neighbour, 2);
  w[1].idle_sleeps = 7;
  const IoTotals t = sum_counters(w);
  EXPECT_EQ(t.ports[1].rx_packets, 7u);
  EXPECT_EQ(t.drops[index_of(DropReason::no_neighbour)], 3u);
  EXPECT_EQ(t.idle_sleeps, 7u);
  EXPECT_EQ(name_of(DropReason::no_neighbour), "no_neighbour");
}

}  // namespace
}  // namespace vpngw::dataplane::io::test
