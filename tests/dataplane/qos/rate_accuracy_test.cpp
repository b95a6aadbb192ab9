// Offered load above the cap is cut to the configured rate within +-3% in
// every 1-second window, at the slowest and fastest tiers and for small,
// medium and large packets; load below the cap passes untouched.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <tuple>

#include "dataplane/qos/gateway_cap_table.hpp"
#include "tests/dataplane/qos/traffic_sim.hpp"

namespace vpngw::dataplane::qos {
namespace {

using test::kFakeTscHz;
using test::Offered;
using test::simulate;

constexpr uint32_t kSeconds = 3;
constexpr uint32_t kGateway = 7;

// rate (Mbps), packet size (bytes), offered load as a multiple of the rate (%).
using Case = std::tuple<uint32_t, uint32_t, uint32_t>;

class OverCap : public ::testing::TestWithParam<Case> {};

TEST_P(OverCap, EveryWindowWithinThreePercent) {
  const auto [mbps, size, offered_pct] = GetParam();
  auto table = std::make_unique<GatewayCapTable>(kFakeTscHz);
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(mbps)));
  const Offered load{mbps_to_bps(mbps) * offered_pct / 100, size};
  const auto r = simulate(*table, kGateway, load, kSeconds);

  const double expected = static_cast<double>(mbps_to_bps(mbps)) / 8;
  for (uint32_t s = 0; s < kSeconds; ++s) {
    const double got = static_cast<double>(r.window_bytes[s]);
    EXPECT_NEAR(got / expected, 1.0, 0.03) << "window " << s << ": " << got << " B";
  }
  EXPECT_GT(r.dropped_packets, 0u);
  EXPECT_EQ(r.admitted_packets + r.dropped_packets, r.offered_packets);
}

INSTANTIATE_TEST_SUITE_P(Tiers, OverCap,
                         ::testing::Combine(::testing::Values(5u, 1000u),
                                            ::testing::Values(64u, 512u, 1420u),
                                            ::testing::Values(120u, 200u, 1000u)),
                         [](const auto& info) {
                           return std::to_string(std::get<0>(info.param)) + "Mbps_" +
                                  std::to_string(std::get<1>(info.param)) + "B_x" +
                                  std::to_string(std::get<2>(info.param)) + "pct";
                         });

class UnderCap : public ::testing::TestWithParam<std::tuple<uint32_t, uint32_t>> {};

TEST_P(UnderCap, NothingDropped) {
  const auto [mbps, size] = GetParam();
  auto table = std::make_unique<GatewayCapTable>(kFakeTscHz);
  ASSERT_TRUE(table->install(kGateway, mbps_to_bps(mbps)));
  const Offered load{mbps_to_bps(mbps) * 95 / 100, size};
  const auto r = simulate(*table, kGateway, load, kSeconds);
  EXPECT_GT(r.offered_packets, 0u);
  EXPECT_EQ(r.dropped_packets, 0u);
  EXPECT_EQ(r.admitted_packets, r.offered_packets);
}

INSTANTIATE_TEST_SUITE_P(Tiers, UnderCap,
                         ::testing::Combine(::testing::Values(5u, 1000u),
                                            ::testing::Values(64u, 512u, 1420u)),
                         [](const auto& info) {
                           return std::to_string(std::get<0>(info.param)) + "Mbps_" +
                                  std::to_string(std::get<1>(info.param)) + "B";
                         });

TEST(Cap, GatewaysDoNotShareABucket) {
  auto table = std::make_unique<GatewayCapTable>(kFakeTscHz);
  ASSERT_TRUE(table->install(1, mbps_to_bps(5)));
  ASSERT_TRUE(table->install(2, mbps_to_bps(1000)));
  const auto slow = simulate(*table, 1, {mbps_to_bps(50), 512}, 2);
  const auto fast = simulate(*table, 2, {mbps_to_bps(50), 512}, 2);
  EXPECT_NEAR(static_cast<double>(slow.window_bytes[1]) / (5e6 / 8), 1.0, 0.03);
  EXPECT_EQ(fast.dropped_packets, 0u);
}

}  // namespace
}  // namespace vpngw::dataplane::qos
