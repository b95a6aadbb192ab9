// `gateway modify --bandwidth`: the new rate applies from the next burst and
// the bucket is not reset (no free burst, no stall). Also install/remove.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>

#include "dataplane/qos/gateway_cap_table.hpp"
#include "tests/dataplane/qos/traffic_sim.hpp"

namespace vpngw::dataplane::qos {
namespace {

using test::kFakeTscHz;

constexpr uint32_t kGateway = 3;
constexpr uint64_t kStart = 100 * kFakeTscHz;
constexpr uint64_t kMicro = kFakeTscHz / 1'000'000;

std::array<uint32_t, 32> burst_of(uint32_t size) {
  std::array<uint32_t, 32> a;
  a.fill(size);
  return a;
}

// Offers 32 x 1420 B every 10 us for 50 ms (far above 1000 Mbps), so the
// bucket ends empty. Returns the time of the last burst.
uint64_t saturate(GatewayCapTable& t, uint64_t from) {
  const auto big = burst_of(1420);
  uint64_t now = from;
  for (int i = 0; i < 5000; ++i, now += 10 * kMicro) t.admit(kGateway, big, now);
  return now - 10 * kMicro;
}

class RateChange : public ::testing::Test {
 protected:
  std::unique_ptr<GatewayCapTable> table = std::make_unique<GatewayCapTable>(kFakeTscHz);
};

TEST_F(RateChange, LowerRateAppliesOnTheNextBurst) {
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(1000)));
  const uint64_t last = saturate(*table, kStart);
  ASSERT_TRUE(table->set_bandwidth(kGateway, mbps_to_bps(5)));
  // 1 ms later: 5 Mbps refills 625 B (9 packets of 64 B, 10 with the crumb
  // left by the last 1000 Mbps burst); 1000 Mbps would have refilled 125 kB.
  const auto small = burst_of(64);
  const CapVerdict v = table->admit(kGateway, small, last + 1000 * kMicro);
  EXPECT_GE(v.admitted, 9);
  EXPECT_LE(v.admitted, 10);
  EXPECT_EQ(v.admitted_bytes, v.admitted * 64u);
}

TEST_F(RateChange, HigherRateAppliesOnTheNextBurst) {
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(5)));
  const uint64_t last = saturate(*table, kStart);
  ASSERT_TRUE(table->set_bandwidth(kGateway, mbps_to_bps(1000)));
  // 100 us later: 12.5 kB at 1000 Mbps, while 5 Mbps would give 62 B.
  const auto small = burst_of(64);
  EXPECT_EQ(table->admit(kGateway, small, last + 100 * kMicro).admitted, 32);
}

TEST_F(RateChange, ChangeDoesNotRefillTheBucket) {
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(1000)));
  const uint64_t last = saturate(*table, kStart);
  ASSERT_TRUE(table->set_bandwidth(kGateway, mbps_to_bps(100)));
  // The bucket held less than one 1420 B packet's time at 1000 Mbps (11 us),
  // which is < 142 B at 100 Mbps: at most two 64 B packets, not a full
  // 25 kB bucket.
  const auto small = burst_of(64);
  EXPECT_LE(table->admit(kGateway, small, last).admitted, 2);
  // A re-install is a new gateway: full bucket.
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(100)));
  EXPECT_EQ(table->admit(kGateway, small, last).admitted, 32);
}

TEST_F(RateChange, WindowAfterAChangeHoldsTheNewRate) {
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(5)));
  const auto r = test::simulate(*table, kGateway, {mbps_to_bps(2000), 512}, 3,
                                [&](uint32_t second) {
                                  if (second == 1) table->set_bandwidth(kGateway, mbps_to_bps(1000));
                                  if (second == 2) table->set_bandwidth(kGateway, mbps_to_bps(10));
                                });
  EXPECT_NEAR(static_cast<double>(r.window_bytes[0]) / (5e6 / 8), 1.0, 0.03);
  EXPECT_NEAR(static_cast<double>(r.window_bytes[1]) / (1000e6 / 8), 1.0, 0.03);
  EXPECT_NEAR(static_cast<double>(r.window_bytes[2]) / (10e6 / 8), 1.0, 0.03);
}

TEST_F(RateChange, RemovedOrNeverInstalledGatewayAdmitsNothing) {
  const auto small = burst_of(64);
  EXPECT_EQ(table->admit(kGateway, small, kStart).admitted, 0);
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(50)));
  EXPECT_EQ(table->admit(kGateway, small, kStart).admitted, 32);
  table->remove(kGateway);
  EXPECT_EQ(table->admit(kGateway, small, kStart + kFakeTscHz).admitted, 0);
}

TEST_F(RateChange, BadIndexOrRateIsRefused) {
  EXPECT_FALSE(table->install(kMaxGateways, mbps_to_bps(5)));
  EXPECT_FALSE(table->set_bandwidth(kMaxGateways, mbps_to_bps(5)));
  EXPECT_FALSE(table->install(kGateway, 0));
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(5)));
  EXPECT_FALSE(table->set_bandwidth(kGateway, 0));
  // The refused change left the 5 Mbps cap in place.
  const auto small = burst_of(64);
  EXPECT_EQ(table->admit(kGateway, small, kStart).admitted, 32);
}

TEST_F(RateChange, AdmissionIsAnInOrderPrefix) {
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(5)));  // 12 000 B bucket
  const uint64_t last = saturate(*table, kStart);
  // Refill exactly 3000 B worth of time (+1 cycle to cover rounding).
  const uint64_t refill = 3000 * 8 * (kFakeTscHz / 5'000'000) + 1;
  const std::array<uint32_t, 4> lens{1000, 1500, 100, 100};
  const CapVerdict v = table->admit(kGateway, lens, last + refill);
  // 1000 + 1500 fit, then 100 would too; a crumb (<1420 B) may be left by
  // saturate(), so the prefix holds at least 2500 B and never skips a packet.
  EXPECT_GE(v.admitted, 2);
  uint64_t sum = 0;
  for (uint16_t i = 0; i < v.admitted; ++i) sum += lens[i];
  EXPECT_EQ(v.admitted_bytes, sum);
}

}  // namespace
}  // namespace vpngw::dataplane::qos
