// apply_cap() over mbufs: lengths come from pkt_len, the verdict is a prefix,
// and bursts longer than one chunk are handled without losing packets.
// The mbufs are plain structs on the heap: only pkt_len is read, no EAL.
#include "dataplane/qos/cap_mbuf.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tests/dataplane/qos/traffic_sim.hpp"

namespace vpngw::dataplane::qos {
namespace {

using test::kFakeTscHz;
constexpr uint64_t kStart = 100 * kFakeTscHz;

class CapMbuf : public ::testing::Test {
 protected:
  std::unique_ptr<GatewayCapTable> table = std::make_unique<GatewayCapTable>(kFakeTscHz);
  std::vector<rte_mbuf> storage;
  std::vector<rte_mbuf*> pkts;

  void make_packets(uint16_t n, uint32_t len) {
    storage.assign(n, rte_mbuf{});
    pkts.clear();
    for (auto& m : storage) {
      m.pkt_len = len;
      pkts.push_back(&m);
    }
  }
};

TEST_F(CapMbuf, FullBucketSendsWholeBurst) {
  ASSERT_TRUE(table->install(0, mbps_to_bps(1000)));
  make_packets(32, 1420);
  const CapMbufResult r = apply_cap(*table, 0, pkts.data(), 32, kStart);
  EXPECT_EQ(r.sent, 32);
  EXPECT_EQ(r.dropped, 0);
  EXPECT_EQ(r.sent_bytes, 32u * 1420);
}

TEST_F(CapMbuf, SlowTierSendsWhatTheBucketHolds) {
  ASSERT_TRUE(table->install(0, mbps_to_bps(5)));  // 12 000 B bucket
  make_packets(32, 1420);
  const CapMbufResult r = apply_cap(*table, 0, pkts.data(), 32, kStart);
  EXPECT_EQ(r.sent, 8);  // 8 x 1420 = 11 360 <= 12 000 < 9 x 1420
  EXPECT_EQ(r.dropped, 24);
  EXPECT_EQ(r.sent_bytes, 8u * 1420);
}

TEST_F(CapMbuf, BurstsLongerThanAChunkStayAPrefix) {
  ASSERT_TRUE(table->install(0, mbps_to_bps(100)));  // 25 000 B bucket
  make_packets(200, 100);                             // 20 000 B: all fit
  CapMbufResult r = apply_cap(*table, 0, pkts.data(), 200, kStart);
  EXPECT_EQ(r.sent, 200);
  EXPECT_EQ(r.dropped, 0);
  // Now 5 000 B left: 50 packets, across the first chunk only.
  r = apply_cap(*table, 0, pkts.data(), 200, kStart);
  EXPECT_EQ(r.sent, 50);
  EXPECT_EQ(r.dropped, 150);
}

}  // namespace
}  // namespace vpngw::dataplane::qos
