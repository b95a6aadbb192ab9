// UnresolvedQueue: the bounds, the order packets leave in, and expiry. The
// queue only stores the pointers, so plain tags stand in for mbufs.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "dataplane/io/unresolved_queue.hpp"

namespace vpngw::dataplane::io::test {
namespace {

rte_mbuf* tag(uintptr_t n) { return reinterpret_cast<rte_mbuf*>(n * 64); }

struct Outcome {
  std::vector<rte_mbuf*> sent, expired;
  std::vector<uint32_t> waiting;
};

// Services the queue with `known` as the only resolved next hop.
Outcome service(UnresolvedQueue& q, uint64_t now, uint32_t known) {
  Outcome o;
  q.service(
      now,
      [&](uint16_t, uint32_t hop, rte_ether_addr* mac) {
        *mac = rte_ether_addr{{0x02, 0, 0, 0, 0, 1}};
        return hop == known;
      },
      [&](uint16_t, const rte_ether_addr&, rte_mbuf* m) { o.sent.push_back(m); },
      [&](rte_mbuf* m) { o.expired.push_back(m); },
      [&](uint16_t, uint32_t hop) { o.waiting.push_back(hop); });
  return o;
}

TEST(UnresolvedQueue, HoldsThreePacketsPerDestinationAndReleasesThemInOrder) {
  UnresolvedQueue q;
  for (uintptr_t i = 1; i <= 3; ++i) EXPECT_TRUE(q.hold(1, 0x0a, tag(i), 1000));
  EXPECT_FALSE(q.hold(1, 0x0a, tag(4), 1000));  // the fourth is the caller's to drop
  EXPECT_TRUE(q.hold(0, 0x0a, tag(5), 1000));   // same address, other port: its own
  EXPECT_EQ(q.packets(), 4u);
  EXPECT_EQ(q.destinations(), 2u);

  Outcome o = service(q, 10, 0x0b);  // nothing resolved yet
  EXPECT_TRUE(o.sent.empty());
  EXPECT_TRUE(o.expired.empty());
  EXPECT_EQ(o.waiting.size(), 2u);  // both asked for again

  o = service(q, 20, 0x0a);
  ASSERT_EQ(o.sent.size(), 4u);
  EXPECT_EQ(o.sent[0], tag(1));
  EXPECT_EQ(o.sent[1], tag(2));
  EXPECT_EQ(o.sent[2], tag(3));
  EXPECT_EQ(q.packets(), 0u);
  EXPECT_EQ(q.destinations(), 0u);
}

TEST(UnresolvedQueue, PacketsOfAnAddressThatNeverResolvesExpireAtTheirDeadline) {
  UnresolvedQueue q;
  ASSERT_TRUE(q.hold(1, 0x0a, tag(1), 1000));
  ASSERT_TRUE(q.hold(1, 0x0a, tag(2), 5000));  // the destination's deadline is its first packet's
  ASSERT_TRUE(q.hold(1, 0x0c, tag(3), 3000));
  Outcome o = service(q, 999, 0);
  EXPECT_TRUE(o.expired.empty());
  o = service(q, 1000, 0);
  ASSERT_EQ(o.expired.size(), 2u);
  EXPECT_EQ(q.packets(), 1u);
  o = service(q, 3000, 0);
  ASSERT_EQ(o.expired.size(), 1u);
  EXPECT_EQ(o.expired[0], tag(3));
  EXPECT_EQ(q.destinations(), 0u);
}

TEST(UnresolvedQueue, AtMostKDestinationsAndAFreedOneIsReused) {
  UnresolvedQueue q;
  for (uint32_t d = 1; d <= UnresolvedQueue::kDestinations; ++d) ASSERT_TRUE(q.hold(1, d, tag(d), 100));
  EXPECT_FALSE(q.hold(1, 999, tag(999), 100));
  EXPECT_FALSE(q.hold(1, 0, tag(1000), 100));  // 0 is no address
  Outcome o = service(q, 1, 7);
  ASSERT_EQ(o.sent.size(), 1u);
  EXPECT_TRUE(q.hold(1, 999, tag(999), 100));
  std::vector<rte_mbuf*> freed;
  q.clear([&](rte_mbuf* m) { freed.push_back(m); });
  EXPECT_EQ(freed.size(), UnresolvedQueue::kDestinations);
  EXPECT_EQ(q.packets(), 0u);
}

}  // namespace
}  // namespace vpngw::dataplane::io::test
