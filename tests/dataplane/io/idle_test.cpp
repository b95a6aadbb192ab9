// Idle backoff: the policy alone, the loop stepped round by round, and the
// real loop on its own lcore.
#include <gtest/gtest.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <chrono>
#include <thread>
#include <vector>

#include "tests/dataplane/io/frames.hpp"
#include "tests/dataplane/io/ring_ports.hpp"

namespace vpngw::dataplane::io::test {
namespace {

TEST(IdleBackoff, SleepsAfterEmptyPollsDoublingUpToTheMaximum) {
  IdleBackoff b({.empty_polls_before_sleep = 3, .first_sleep_us = 1, .max_sleep_us = 8,
                 .busy_poll = false});
  EXPECT_EQ(b.after_poll(0), 0u);
  EXPECT_EQ(b.after_poll(0), 0u);
  EXPECT_EQ(b.after_poll(0), 0u);
  std::vector<uint32_t> sleeps;
  for (int i = 0; i < 6; ++i) sleeps.push_back(b.after_poll(0));
  EXPECT_EQ(sleeps, (std::vector<uint32_t>{1, 2, 4, 8, 8, 8}));
  EXPECT_EQ(b.after_poll(5), 0u);  // traffic: back to polling at once
  EXPECT_EQ(b.current_sleep_us(), 0u);
  EXPECT_EQ(b.after_poll(0), 0u);  // and the count of empty polls restarts
}

TEST(IdleBackoff, BusyPollNeverSleeps) {
  IdleBackoff b({.empty_polls_before_sleep = 0, .first_sleep_us = 1, .max_sleep_us = 8,
                 .busy_poll = true});
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(b.after_poll(0), 0u);
}

using IdleLoopTest = RingPortsTest;

TEST_F(IdleLoopTest, EngagesWhenIdleAndDisengagesOnTraffic) {
  WorkerConfig config;
  config.idle = {.empty_polls_before_sleep = 4, .first_sleep_us = 1, .max_sleep_us = 1000,
                 .busy_poll = false};
  WorkerContext& w = worker(config);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(worker_round(w), 0u);
  EXPECT_EQ(worker_round(w), 1u);
  EXPECT_EQ(worker_round(w), 2u);
  for (int i = 0; i < 20; ++i) worker_round(w);
  EXPECT_EQ(counters_.current_sleep_us, 1000u);

  inject(kPublic, icmp_echo_frame(pool_, shared_.ports[kPublic].mac, be_ip("198.51.100.2"),
                                  public_ip_be_, 1, 1, {1, 2, 3}));
  EXPECT_EQ(worker_round(w), 0u);
  EXPECT_EQ(counters_.current_sleep_us, 0u);
  auto out = transmitted(kPublic);
  EXPECT_EQ(out.size(), 1u);
  free_all(out);
}

TEST_F(IdleLoopTest, LoopOnItsLcoreSleepsWhenIdleAnswersAndStops) {
  const unsigned lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
  ASSERT_LT(lcore, RTE_MAX_LCORE) << "the test EAL needs a second lcore";
  WorkerConfig config;
  config.idle = {.empty_polls_before_sleep = 16, .first_sleep_us = 1, .max_sleep_us = 200,
                 .busy_poll = false};
  WorkerContext& w = worker(config);
  ASSERT_TRUE(launch_worker(lcore, &w));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto sleeps = [&] { return __atomic_load_n(&counters_.idle_sleeps, __ATOMIC_RELAXED); };
  while (sleeps() < 10 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_GE(sleeps(), 10u);

  inject(kPublic, icmp_echo_frame(pool_, shared_.ports[kPublic].mac, be_ip("198.51.100.2"),
                                  public_ip_be_, 9, 9, {1}));
  while (rte_ring_count(tx_[kPublic]) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  stop_worker(lcore, &w);
  auto out = transmitted(kPublic);
  EXPECT_EQ(out.size(), 1u);
  free_all(out);
  EXPECT_EQ(rte_eal_get_lcore_state(lcore), WAIT);
}

TEST_F(IdleLoopTest, BusyPollLoopNeverSleeps) {
  const unsigned lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
  ASSERT_LT(lcore, RTE_MAX_LCORE);
  WorkerConfig config;
  config.idle.busy_poll = true;
  config.idle.empty_polls_before_sleep = 1;
  WorkerContext& w = worker(config);
  ASSERT_TRUE(launch_worker(lcore, &w));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop_worker(lcore, &w);
  EXPECT_GT(counters_.polls, 100u);
  EXPECT_EQ(counters_.idle_sleeps, 0u);
}

TEST_F(IdleLoopTest, SleepingWorkerIsOfflineSoGracePeriodsDoNotWaitForIt) {
  const unsigned lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
  ASSERT_LT(lcore, RTE_MAX_LCORE);
  const size_t size = rte_rcu_qsbr_get_memsize(1);
  auto* qsbr = static_cast<rte_rcu_qsbr*>(rte_zmalloc("iotest_qsbr", size, RTE_CACHE_LINE_SIZE));
  ASSERT_NE(qsbr, nullptr);
  ASSERT_EQ(rte_rcu_qsbr_init(qsbr, 1), 0);
  // Every idle round sleeps 300 ms: were the worker online while asleep, a
  // grace period would take up to that long.
  WorkerConfig config;
  config.idle = {.empty_polls_before_sleep = 0, .first_sleep_us = 300000,
                 .max_sleep_us = 300000, .busy_poll = false};
  config.qsbr = qsbr;
  config.qsbr_thread_id = 0;
  WorkerContext& w = worker(config);
  ASSERT_TRUE(launch_worker(lcore, &w));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (__atomic_load_n(&counters_.idle_sleeps, __ATOMIC_RELAXED) < 1 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // well inside the sleep
  const auto start = std::chrono::steady_clock::now();
  const uint64_t token = rte_rcu_qsbr_start(qsbr);
  EXPECT_EQ(rte_rcu_qsbr_check(qsbr, token, true), 1);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, std::chrono::milliseconds(100));
  stop_worker(lcore, &w);
  rte_free(qsbr);
}

}  // namespace
}  // namespace vpngw::dataplane::io::test
