// PublishedTable: an old table is freed only after the readers passed a
// quiescent state, and tables are swapped under a reader that keeps looking
// up without ever seeing a torn or freed table.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/lookup/published_table.hpp"
#include "dataplane/lookup/route_table.hpp"
#include "dataplane/lookup/spd_classifier.hpp"
#include "tests/dataplane/lookup/lookup_test_support.hpp"

namespace vpngw::dataplane::test {
namespace {

// A table that records its own destruction.
struct Tracked {
  explicit Tracked(int* destroyed) : destroyed_(destroyed) {}
  ~Tracked() { ++*destroyed_; }
  int* destroyed_;
};

TEST(PublishedTable, ReclaimWaitsForEveryReaderToReportQuiescence) {
  QsbrPtr qsbr = make_qsbr(2);
  ASSERT_NE(qsbr, nullptr);
  ASSERT_EQ(rte_rcu_qsbr_thread_register(qsbr.get(), 0), 0);
  ASSERT_EQ(rte_rcu_qsbr_thread_register(qsbr.get(), 1), 0);
  rte_rcu_qsbr_thread_online(qsbr.get(), 0);
  rte_rcu_qsbr_thread_online(qsbr.get(), 1);

  int destroyed = 0;
  {
    PublishedTable<Tracked> published(qsbr.get(), std::make_unique<Tracked>(&destroyed));
    const Tracked* first = published.get();
    published.replace(std::make_unique<Tracked>(&destroyed));
    EXPECT_NE(published.get(), first);
    EXPECT_EQ(published.reclaim(), 1u);  // neither reader has reported yet
    rte_rcu_qsbr_quiescent(qsbr.get(), 0);
    EXPECT_EQ(published.reclaim(), 1u);  // reader 1 may still hold `first`
    EXPECT_EQ(destroyed, 0);
    rte_rcu_qsbr_quiescent(qsbr.get(), 1);
    EXPECT_EQ(published.reclaim(), 0u);
    EXPECT_EQ(destroyed, 1);

    // Readers that went offline hold nothing: the destructor's grace period
    // ends at once and frees the current table too.
    rte_rcu_qsbr_thread_offline(qsbr.get(), 0);
    rte_rcu_qsbr_thread_offline(qsbr.get(), 1);
  }
  EXPECT_EQ(destroyed, 2);
  rte_rcu_qsbr_thread_unregister(qsbr.get(), 0);
  rte_rcu_qsbr_thread_unregister(qsbr.get(), 1);
}

// The reader thread: what a worker does each loop iteration.
template <class Table, class Lookup>
void read_until(rte_rcu_qsbr* qsbr, const PublishedTable<Table>& published,
                const std::atomic<bool>& stop, Lookup lookup) {
  rte_rcu_qsbr_thread_register(qsbr, 0);
  rte_rcu_qsbr_thread_online(qsbr, 0);
  // Relaxed: stop only ends the loop; nothing is published through it.
  while (!stop.load(std::memory_order_relaxed)) {
    lookup(published.get());
    rte_rcu_qsbr_quiescent(qsbr, 0);
  }
  rte_rcu_qsbr_thread_offline(qsbr, 0);
  rte_rcu_qsbr_thread_unregister(qsbr, 0);
}

// Two rule sets over the same packets, A -> 100 + tunnel, B -> 200 + tunnel.
std::vector<SpdRuleSpec> spd_generation(uint32_t base) {
  std::vector<SpdRuleSpec> rules;
  for (uint32_t t = 0; t < 20; ++t) {
    for (uint32_t p = 0; p < 50; ++p) {
      rules.push_back({1, cidr("192.168.0.0/16"),
                       Cidr{Ipv4Addr{(10u << 24) | (t << 16) | (p << 8)}, 24}, base + t});
    }
  }
  return rules;
}

TEST(PublishedTable, SpdSwapUnderConcurrentClassify) {
  QsbrPtr qsbr = make_qsbr(1);
  ASSERT_NE(qsbr, nullptr);
  const std::vector<SpdRuleSpec> gen_a = spd_generation(100);
  const std::vector<SpdRuleSpec> gen_b = spd_generation(200);
  std::string error;
  PublishedTable<SpdClassifier> published(qsbr.get(), SpdClassifier::build(gen_a, &error));
  ASSERT_NE(published.get(), nullptr) << error;

  // Packets to tunnel (i % 20), peer CIDR (i % 50): every one matches.
  constexpr uint16_t kBurst = 32;
  SpdKey keys[kBurst];
  for (uint16_t i = 0; i < kBurst; ++i) {
    const uint32_t dst = (10u << 24) | ((i % 20u) << 16) | ((i % 50u) << 8) | 7u;
    keys[i] = SpdKey::from_host(1, ip("192.168.4.4"), Ipv4Addr{dst});
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> bursts{0}, bad{0}, from_a{0}, from_b{0};
  std::thread reader([&] {
    read_until(qsbr.get(), published, stop, [&](const SpdClassifier* spd) {
      uint32_t actions[kBurst];
      spd->classify_burst(keys, actions, kBurst);
      // One table per burst: all results from A, or all from B.
      const uint32_t base = actions[0] - actions[0] % 100;
      for (uint16_t i = 0; i < kBurst; ++i) {
        if (actions[i] != base + i % 20u || (base != 100 && base != 200)) bad.fetch_add(1);
      }
      (base == 100 ? from_a : from_b).fetch_add(1, std::memory_order_relaxed);
      bursts.fetch_add(1, std::memory_order_relaxed);
    });
  });

  for (int swap = 0; swap < 20; ++swap) {
    auto next = SpdClassifier::build(swap % 2 == 0 ? gen_b : gen_a, &error);
    ASSERT_NE(next, nullptr) << error;
    published.replace(std::move(next));
    published.reclaim_blocking();  // the reader must pass a quiescent state
    EXPECT_EQ(published.retired_count(), 0u);
  }
  // Let the reader see the last table too.
  const uint64_t seen = bursts.load();
  while (bursts.load() < seen + 10) std::this_thread::yield();
  stop.store(true);
  reader.join();

  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(from_a.load(), 0u);
  EXPECT_GT(from_b.load(), 0u);
}

TEST(PublishedTable, RouteSwapUnderConcurrentLookup) {
  QsbrPtr qsbr = make_qsbr(1);
  ASSERT_NE(qsbr, nullptr);
  const std::vector<RouteSpec> gen_a = {{cidr("10.0.0.0/8"), 1}, {cidr("10.1.0.0/16"), 2}};
  const std::vector<RouteSpec> gen_b = {{cidr("10.0.0.0/8"), 3}, {cidr("10.1.0.0/16"), 4}};
  std::string error;
  PublishedTable<RouteTable> published(qsbr.get(), RouteTable::build(gen_a, &error));
  ASSERT_NE(published.get(), nullptr) << error;

  const uint32_t dst[2] = {ip("10.9.9.9").value, ip("10.1.1.1").value};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> bursts{0}, bad{0};
  std::thread reader([&] {
    read_until(qsbr.get(), published, stop, [&](const RouteTable* routes) {
      uint32_t gw[2];
      routes->lookup_burst(dst, gw, 2);
      const bool is_a = gw[0] == 1 && gw[1] == 2;
      const bool is_b = gw[0] == 3 && gw[1] == 4;
      if (!is_a && !is_b) bad.fetch_add(1);
      bursts.fetch_add(1, std::memory_order_relaxed);
    });
  });
  // Each table is 64 MiB of tbl24: a few swaps are plenty.
  for (int swap = 0; swap < 6; ++swap) {
    auto next = RouteTable::build(swap % 2 == 0 ? gen_b : gen_a, &error);
    ASSERT_NE(next, nullptr) << error;
    published.replace(std::move(next));
    published.reclaim_blocking();
  }
  const uint64_t seen = bursts.load();
  while (bursts.load() < seen + 10) std::this_thread::yield();
  stop.store(true);
  reader.join();
  EXPECT_EQ(bad.load(), 0u);
}

}  // namespace
}  // namespace vpngw::dataplane::test
