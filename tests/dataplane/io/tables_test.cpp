// The lock-free tables the control thread writes and workers read, and the
// counter summation.
#include <gtest/gtest.h>

#include <rte_rcu_qsbr.h>

#include <array>
#include <atomic>
#include <cstdlib>
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

// Each address's MAC is derived from the address, so a reader can tell a
// MAC that belongs to another entry.
rte_ether_addr mac_of(uint32_t host) {
  return rte_ether_addr{{0x02, 0x42, static_cast<uint8_t>(host >> 24), static_cast<uint8_t>(host >> 16),
                         static_cast<uint8_t>(host >> 8), static_cast<uint8_t>(host)}};
}

// Neighbours come and go for a long time (each leaves a tombstone): the
// table reuses tombstones, compacts itself under RCU while a reader keeps
// looking up, and the reader never sees a MAC that is not its address's
// nor misses an entry that stays.
TEST(NeighbourTable, ChurnIsCompactedUnderRcuWithoutReadersSeeingWrongEntries) {
  const size_t size = rte_rcu_qsbr_get_memsize(1);
  auto* qsbr = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(RTE_CACHE_LINE_SIZE, (size + 63) / 64 * 64));
  ASSERT_EQ(rte_rcu_qsbr_init(qsbr, 1), 0);
  auto t = std::make_unique<NeighbourTable>();
  t->use_rcu(qsbr);
  const uint32_t stable = ip("198.18.1.10").value;
  ASSERT_TRUE(t->learn(Ipv4Addr{stable}, mac_of(stable)));
  std::atomic<bool> done{false};
  std::atomic<uint64_t> bad{0}, found{0};
  std::atomic<uint32_t> cursor{0};
  std::atomic<bool> started{false};
  std::atomic<uint64_t> reads{0};
  const uint32_t base = ip("198.18.16.0").value;
  constexpr uint32_t kLive = 600;
  std::thread reader([&] {
    rte_rcu_qsbr_thread_register(qsbr, 0);
    rte_rcu_qsbr_thread_online(qsbr, 0);
    started.store(true);
    for (uint32_t n = 0; !done.load(std::memory_order_relaxed); ++n) {
      rte_ether_addr got{};
      const rte_ether_addr want = mac_of(stable);
      if (!t->lookup(Ipv4Addr{stable}, &got) || !rte_is_same_ether_addr(&got, &want)) bad.fetch_add(1);
      // Near what the writer is adding and removing right now.
      const uint32_t probe = base + cursor.load(std::memory_order_relaxed) - n % (2 * kLive);
      if (t->lookup(Ipv4Addr{probe}, &got)) {
        const rte_ether_addr own = mac_of(probe);
        if (!rte_is_same_ether_addr(&got, &own)) bad.fetch_add(1);
        found.fetch_add(1);
      }
      reads.fetch_add(1, std::memory_order_relaxed);
      rte_rcu_qsbr_quiescent(qsbr, 0);
    }
    rte_rcu_qsbr_thread_offline(qsbr, 0);
    rte_rcu_qsbr_thread_unregister(qsbr, 0);
  });
  while (!started.load()) std::this_thread::yield();
  for (uint32_t i = 0; i < 40000; ++i) {
    cursor.store(i, std::memory_order_relaxed);
    ASSERT_TRUE(t->learn(Ipv4Addr{base + i}, mac_of(base + i))) << i;
    if (i >= kLive) t->forget(Ipv4Addr{base + i - kLive});
    if (i % 64 == 0) t->reclaim();
    if (i % 256 == 0) {  // let the reader in, however the threads are scheduled
      const uint64_t r = reads.load();
      while (reads.load() < r + 8) std::this_thread::yield();
    }
    ASSERT_LE(t->occupied(), NeighbourTable::kSlots * 3 / 4 + 1);
  }
  done.store(true);
  reader.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(found.load(), 0u);
  EXPECT_EQ(t->size(), kLive + 1);
  rte_ether_addr got{};
  EXPECT_TRUE(t->lookup(Ipv4Addr{base + 40000 - 1}, &got));
  EXPECT_FALSE(t->lookup(Ipv4Addr{base + 40000 - kLive - 1}, &got));
  t.reset();
  std::free(qsbr);
}

// Past kMaxEntries, learn refuses: a flood cannot grow the table.
TEST(NeighbourTable, HoldsAtMostMaxEntries) {
  NeighbourTable t;
  const uint32_t base = ip("198.18.0.1").value;
  for (uint32_t i = 0; i < NeighbourTable::kMaxEntries; ++i) ASSERT_TRUE(t.learn(Ipv4Addr{base + i}, mac_of(i)));
  EXPECT_FALSE(t.learn(Ipv4Addr{base + 5000}, mac_of(1)));
  EXPECT_TRUE(t.learn(Ipv4Addr{base}, mac_of(7)));  // an update still works
  EXPECT_EQ(t.size(), NeighbourTable::kMaxEntries);
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
