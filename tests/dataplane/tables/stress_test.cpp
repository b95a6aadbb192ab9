// SAs added, replaced and removed by the control thread while two worker
// threads look them up and use them in a tight loop, as the dataplane does:
// burst lookups, the owner's writes (sequence numbers, replay window,
// counters), handoff of packets whose SA another worker owns, one quiescent
// report per iteration. Run it under ASan and TSan too (docs/sa_tables.md).
//
// What would fail if the tables broke:
// - a reader seeing a freed SA: the canary (SPI and sa_id) is checked on
//   every use, and retired objects are poisoned (and under ASan, any touch
//   of freed memory aborts);
// - a lost packet: SAs that are only ever replaced, never removed, must be
//   found by every lookup, including the owner's second lookup after handoff;
// - a broken ownership rule: every SA object must have been written by one
//   worker only, and its final sequence number (packet count) must equal the
//   number of draws (touches), i.e. no number was drawn twice.
#include <gtest/gtest.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/tables/handoff.hpp"
#include "dataplane/tables/sa_tables.hpp"
#include "dataplane/tables/tsan_sync.hpp"
#include "tests/dataplane/tables/tables_env.hpp"
#include "tests/dataplane/tables/test_sa_params.hpp"

namespace vpngw::dataplane::test {
namespace {

constexpr uint32_t kWorkers = 2;
constexpr uint32_t kStableIn = 16;  // replaced over and over, never removed
constexpr uint32_t kChurnIn = 32;   // added and removed over and over
constexpr uint32_t kInKeys = kStableIn + kChurnIn;
constexpr uint32_t kOutSlots = 8;  // replaced over and over, never removed
constexpr uint32_t kMaxObjects = 1u << 20;  // sa_id space: one id per SA object
constexpr auto kRunTime = std::chrono::seconds(2);
// On a loaded machine a worker thread may hardly run for a while; the run
// goes on (up to kMaxRunTime) until each worker has looped this often.
constexpr uint64_t kMinIterations = 1000;
constexpr auto kMaxRunTime = std::chrono::seconds(30);

constexpr uint32_t in_spi(uint32_t k) { return 0x10000 + k; }  // keys [0, kStableIn) are stable
// Slots 2k and 2k+1 may hold one shared SA (a CHILD_SA serving two SPD
// pairs), so they share an SPI.
constexpr uint32_t out_spi(uint32_t slot) { return 0x30000 + slot / 2; }

// What a handed-off "packet" asks its owner to do, in mbuf->hash.usr.
constexpr uint32_t kOutboundBit = 0x80000000;

struct alignas(64) WorkerResult {
  uint64_t iterations = 0;
  uint64_t stable_misses = 0;  // a continuously present SA was not found
  uint64_t bad_canary = 0;     // an SA that is not the one looked up, or poisoned
  uint64_t handed_off = 0;
  uint64_t received = 0;
  uint64_t owner_moved = 0;  // the SA was replaced with another owner meanwhile
  std::vector<uint64_t> uses;  // by sa_id: touches (inbound) or seq draws (outbound)
};

class Worker {
 public:
  Worker(uint32_t id, SaTables& tables, HandoffRings& rings, const std::atomic<bool>& stop)
      : id_(id), tables_(tables), rings_(rings), stop_(stop) {
    result_.uses.assign(kMaxObjects, 0);
    for (uint32_t k = 0; k < kInKeys; ++k) {
      keys_[k] = inbound_key(in_spi(k), kTablesOurAddr);
      key_ptrs_[k] = &keys_[k];
    }
  }

  const WorkerResult& result() const { return result_; }
  uint64_t progress() const { return progress_.load(std::memory_order_relaxed); }

  void run() {
    tables_.rcu().online(id_);
    while (!stop_.load(std::memory_order_relaxed)) {
      inbound_pass();
      outbound_pass();
      flush_handoffs();
      drain_my_ring();
      // Nothing from this iteration is held any more.
      tables_.rcu().quiescent(id_);
      ++result_.iterations;
      progress_.store(result_.iterations, std::memory_order_relaxed);
    }
    tables_.rcu().offline(id_);
  }

 private:
  void inbound_pass() {
    std::array<SaRef<InboundSa>, kInKeys> refs;
    tables_.inbound().lookup_burst(key_ptrs_.data(), kInKeys, refs.data());
    for (uint32_t k = 0; k < kInKeys; ++k) {
      if (!refs[k]) {
        if (k < kStableIn) ++result_.stable_misses;
        continue;
      }
      if (refs[k].owner() == id_) {
        use_inbound(refs[k].sa(), k);
      } else {
        hand_off(refs[k].owner(), k);
      }
    }
  }

  void outbound_pass() {
    for (uint32_t slot = 0; slot < kOutSlots; ++slot) {
      const SaRef<OutboundSa> ref = tables_.outbound().get(slot);
      if (!ref) {
        ++result_.stable_misses;
        continue;
      }
      if (ref.owner() == id_) {
        use_outbound(ref.sa(), slot);
      } else {
        hand_off(ref.owner(), kOutboundBit | slot);
      }
    }
  }

  // The owner's writes, as decap does them: replay window and counters.
  void use_inbound(InboundSa* sa, uint32_t k) {
    if (sa->spi_be != keys_[k].spi_be || sa->sa_id >= kMaxObjects || !sa->replay_check) {
      ++result_.bad_canary;
      return;
    }
    const uint64_t next = sa->replay.top() + 1;
    if (sa->replay.accepts(next) != ReplayVerdict::ok) ++result_.bad_canary;
    sa->replay.update(next);
    sa->usage.account(64, sa->limits);
    ++result_.uses[sa->sa_id];
  }

  // The owner's sequence number draw, as encap does it: load + store, no
  // locked instruction, which is only correct with a single writer.
  void use_outbound(OutboundSa* sa, uint32_t slot) {
    if (sa->spi_be != rte_cpu_to_be_32(out_spi(slot)) || sa->sa_id >= kMaxObjects) {
      ++result_.bad_canary;
      return;
    }
    const uint64_t seq = sa->seq.load(std::memory_order_relaxed) + 1;
    sa->seq.store(seq, std::memory_order_relaxed);
    sa->usage.account(64, sa->limits);
    ++result_.uses[sa->sa_id];
  }

  void hand_off(uint32_t owner, uint32_t what) {
    rte_mbuf* m = rte_pktmbuf_alloc(tables_pool());
    if (m == nullptr) return;  // pool busy: this "packet" never existed
    tsan_acquire(m);  // the mempool recycles mbufs across threads (tsan_sync.hpp)
    m->hash.usr = what;
    auto& q = outgoing_[owner];
    q.pkts[q.n++] = m;
    ++result_.handed_off;
  }

  void flush_handoffs() {
    for (uint32_t w = 0; w < kWorkers; ++w) {
      auto& q = outgoing_[w];
      if (q.n != 0) rings_.send(id_, w, q.pkts.data(), q.n);
      q.n = 0;
    }
  }

  // A handed-off packet carries no SA pointer: look the SA up again.
  void drain_my_ring() {
    std::array<rte_mbuf*, 64> pkts;
    const uint16_t n = rings_.receive(id_, pkts.data(), 64);
    for (uint16_t i = 0; i < n; ++i) {
      const uint32_t what = pkts[i]->hash.usr;
      tsan_publish(pkts[i]);
      rte_pktmbuf_free(pkts[i]);
      ++result_.received;
      if (what & kOutboundBit) {
        const uint32_t slot = what & ~kOutboundBit;
        const SaRef<OutboundSa> ref = tables_.outbound().get(slot);
        if (!ref) ++result_.stable_misses;
        else if (ref.owner() != id_) ++result_.owner_moved;
        else use_outbound(ref.sa(), slot);
      } else {
        const SaRef<InboundSa> ref = tables_.inbound().lookup(keys_[what]);
        if (!ref) {
          if (what < kStableIn) ++result_.stable_misses;
        } else if (ref.owner() != id_) {
          ++result_.owner_moved;
        } else {
          use_inbound(ref.sa(), what);
        }
      }
    }
  }

  struct Outgoing {
    std::array<rte_mbuf*, kInKeys + kOutSlots> pkts{};
    uint16_t n = 0;
  };

  uint32_t id_;
  SaTables& tables_;
  HandoffRings& rings_;
  const std::atomic<bool>& stop_;
  std::array<InboundKey, kInKeys> keys_{};
  std::array<const InboundKey*, kInKeys> key_ptrs_{};
  std::array<Outgoing, kWorkers> outgoing_{};
  WorkerResult result_;
  std::atomic<uint64_t> progress_{0};  // iterations, for the control thread
};

TEST(SaTablesStress, UpdatesUnderTrafficLoseNothingAndFreeNothingInUse) {
  // Final per-object counts, recorded when the SA is retired (after its
  // grace period) or at the end for those still installed.
  std::vector<uint64_t> final_count(kMaxObjects, 0);
  std::vector<uint8_t> finalized(kMaxObjects, 0);
  const auto record_in = [&](const InboundSa& sa) {
    final_count[sa.sa_id] = sa.usage.packets.get();
    finalized[sa.sa_id] = 1;
  };
  const auto record_out = [&](const OutboundSa& sa) {
    final_count[sa.sa_id] = sa.seq.load(std::memory_order_relaxed);
    finalized[sa.sa_id] = 1;
  };

  const std::string name = "st" + std::to_string(getpid() % 100000);
  SaTablesConfig config;
  config.name = name;
  config.workers = kWorkers;
  config.inbound_capacity = 256;
  config.outbound_slots = kOutSlots;
  config.on_inbound_retired = record_in;
  config.on_outbound_retired = record_out;
  std::string error;
  auto tables = SaTables::create(config, &error);
  ASSERT_NE(tables, nullptr) << error;
  auto rings = HandoffRings::create(name + "_ho", kWorkers, 1024, SOCKET_ID_ANY, &error);
  ASSERT_NE(rings, nullptr) << error;

  uint32_t next_id = 1;
  std::mt19937 rng(12345);
  const auto owner = [&] { return static_cast<uint16_t>(rng() % kWorkers); };
  const auto put_in = [&](uint32_t k) {
    return tables->install_inbound(
        table_test_params(SaDirection::inbound, in_spi(k), next_id++), owner(), &error);
  };
  const auto put_out = [&](uint32_t slot) {
    return tables->install_outbound(
        slot, table_test_params(SaDirection::outbound, out_spi(slot), next_id++), owner(),
        &error);
  };
  // One SA object in both slots of a pair: it is retired only when neither
  // slot holds it any more (reference counted by the control thread).
  uint64_t shared_installs = 0;
  const auto put_out_shared = [&](uint32_t slot) {
    const uint32_t both[2] = {slot & ~1u, slot | 1u};
    ++shared_installs;
    return tables->install_outbound(
        std::span<const uint32_t>(both, 2),
        table_test_params(SaDirection::outbound, out_spi(slot), next_id++), owner(), &error);
  };
  for (uint32_t k = 0; k < kStableIn; ++k) ASSERT_TRUE(put_in(k)) << error;
  for (uint32_t s = 0; s < kOutSlots; ++s) ASSERT_TRUE(put_out(s)) << error;
  std::array<bool, kChurnIn> churn_present{};

  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t w = 0; w < kWorkers; ++w)
    workers.push_back(std::make_unique<Worker>(w, *tables, *rings, stop));
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
  // EAL pinned this (main) thread to one core and new threads inherit that;
  // let the workers run on any core so they do not share one with us.
  cpu_set_t all;
  CPU_ZERO(&all);
  for (long c = 0; c < sysconf(_SC_NPROCESSORS_ONLN) && c < CPU_SETSIZE; ++c) CPU_SET(c, &all);
  for (auto& t : threads) pthread_setaffinity_np(t.native_handle(), sizeof all, &all);

  uint64_t replaced = 0;
  uint64_t added = 0;
  uint64_t removed = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto keep_going = [&] {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed >= kMaxRunTime || next_id >= kMaxObjects - 4) return false;
    if (elapsed < kRunTime) return true;
    for (const auto& w : workers) {
      if (w->progress() < kMinIterations) return true;
    }
    return false;
  };
  while (keep_going()) {
    switch (rng() % 4) {
      case 0:
        ASSERT_TRUE(put_in(rng() % kStableIn)) << error;
        ++replaced;
        break;
      case 1:
        if (rng() % 2)
          ASSERT_TRUE(put_out_shared(rng() % kOutSlots)) << error;
        else
          ASSERT_TRUE(put_out(rng() % kOutSlots)) << error;
        ++replaced;
        break;
      default: {
        const uint32_t c = rng() % kChurnIn;
        if (churn_present[c]) {
          ASSERT_TRUE(tables->remove_inbound(in_spi(kStableIn + c), kTablesOurAddr));
          ++removed;
        } else {
          ASSERT_TRUE(put_in(kStableIn + c)) << error;
          ++added;
        }
        churn_present[c] = !churn_present[c];
      }
    }
    tables->reclaim();  // the control thread's timer, here once per change
  }
  stop = true;
  for (auto& t : threads) t.join();

  tables->reclaim_all();
  EXPECT_EQ(tables->retiring(), 0u);
  // The survivors' counts, then every object's verdict.
  for (uint32_t k = 0; k < kInKeys; ++k) {
    if (const InboundSa* sa = tables->find_inbound(in_spi(k), kTablesOurAddr)) record_in(*sa);
  }
  for (uint32_t s = 0; s < kOutSlots; ++s) record_out(*tables->find_outbound(s));

  uint64_t used_objects = 0;
  uint64_t shared_objects = 0;
  uint64_t count_mismatch = 0;
  uint64_t unaccounted = 0;
  for (uint32_t id = 1; id < next_id; ++id) {
    uint64_t total = 0;
    uint32_t writers = 0;
    for (const auto& w : workers) {
      total += w->result().uses[id];
      writers += w->result().uses[id] != 0;
    }
    if (!finalized[id]) ++unaccounted;
    if (total != 0) ++used_objects;
    if (writers > 1) ++shared_objects;
    if (final_count[id] != total) ++count_mismatch;
  }

  uint64_t handed_off = 0;
  uint64_t received = 0;
  for (const auto& w : workers) {
    const WorkerResult& r = w->result();
    EXPECT_EQ(r.stable_misses, 0u) << "a continuously present SA was not found";
    EXPECT_EQ(r.bad_canary, 0u) << "a reader saw a freed or foreign SA";
    EXPECT_GE(r.iterations, kMinIterations);
    handed_off += r.handed_off;
    received += r.received;
  }
  EXPECT_EQ(shared_objects, 0u) << "an SA was written by two workers";
  EXPECT_EQ(count_mismatch, 0u) << "sequence numbers or packet counts repeated or got lost";
  EXPECT_EQ(unaccounted, 0u) << "an SA object was leaked or never retired";
  // The run must have exercised what it claims to.
  EXPECT_GT(replaced, 200u);
  EXPECT_GT(shared_installs, 50u);
  EXPECT_GT(added, 50u);
  EXPECT_GT(removed, 50u);
  EXPECT_GT(used_objects, 100u);
  EXPECT_GT(handed_off, 0u);
  EXPECT_GT(received, 0u);
  EXPECT_LE(received + rings->dropped(0) + rings->dropped(1), handed_off);
  std::printf("stress: %u SA objects, %lu replaced, %lu added, %lu removed, %lu handed off\n",
              next_id - 1, static_cast<unsigned long>(replaced), static_cast<unsigned long>(added),
              static_cast<unsigned long>(removed), static_cast<unsigned long>(handed_off));
}

}  // namespace
}  // namespace vpngw::dataplane::test
