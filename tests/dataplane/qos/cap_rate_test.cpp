// The rate -> (cost per byte, bucket depth) conversion and its packing.
#include "dataplane/qos/cap_rate.hpp"

#include <gtest/gtest.h>

namespace vpngw::dataplane::qos {
namespace {

TEST(CapRate, BurstIsTwoMillisecondsOrEightFullPackets) {
  EXPECT_EQ(burst_bytes_for(5'000'000), 12'000u);        // floor wins: 19.2 ms
  EXPECT_EQ(burst_bytes_for(20'000'000), 12'000u);
  EXPECT_EQ(burst_bytes_for(100'000'000), 25'000u);      // 2 ms
  EXPECT_EQ(burst_bytes_for(1'000'000'000), 250'000u);   // 2 ms
}

TEST(CapRate, BurstNeverExceedsThreePercentOfASecondAtAnyTier) {
  for (const uint64_t mbps : {5, 10, 20, 50, 100, 200, 500, 1000}) {
    const uint64_t bytes_per_s = mbps * 1'000'000 / 8;
    EXPECT_LT(burst_bytes_for(mbps * 1'000'000) * 100, bytes_per_s * 3) << mbps << " Mbps";
  }
}

TEST(CapRate, CostPerByteKeepsTheFraction) {
  // 2.1 GHz at 1000 Mbps: 16.8 cycles per byte.
  const CapRate r = make_cap_rate(1'000'000'000, 2'100'000'000);
  EXPECT_EQ(r.cost_per_byte_q16, static_cast<uint32_t>(16.8 * 65536));
  EXPECT_NEAR(r.burst_cycles, 250'000.0 * 16.8, 10);  // 2 ms of a 2.1 GHz clock
  EXPECT_TRUE(r.configured());
}

TEST(CapRate, SlowestTierOnAFastClockFits) {
  const CapRate r = make_cap_rate(5'000'000, 5'000'000'000);
  ASSERT_TRUE(r.configured());
  EXPECT_EQ(r.cost_per_byte_q16, 8000u * 65536);
  EXPECT_EQ(r.burst_cycles, 12'000u * 8000);
}

TEST(CapRate, UnusableNumbersGiveAnUnconfiguredRate) {
  EXPECT_FALSE(make_cap_rate(0, 2'000'000'000).configured());
  EXPECT_FALSE(make_cap_rate(1'000'000, 0).configured());
  EXPECT_FALSE(make_cap_rate(1, 2'000'000'000).configured());  // cost overflows 32 bits
}

TEST(CapRate, PackRoundTrips) {
  const CapRate r{0x12345678, 0x9abcdef0};
  const CapRate back = CapRate::unpack(r.pack());
  EXPECT_EQ(back.cost_per_byte_q16, r.cost_per_byte_q16);
  EXPECT_EQ(back.burst_cycles, r.burst_cycles);
  EXPECT_EQ(CapRate{}.pack(), 0u);
}

}  // namespace
}  // namespace vpngw::dataplane::qos
