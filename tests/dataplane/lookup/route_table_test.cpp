// RouteTable: longest-prefix-match semantics, bursts, and refusal of bad
// input, checked against a brute-force reference.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "dataplane/lookup/route_table.hpp"
#include "tests/dataplane/lookup/lookup_test_support.hpp"

namespace vpngw::dataplane::test {
namespace {

std::unique_ptr<RouteTable> build_ok(const std::vector<RouteSpec>& routes) {
  std::string error;
  auto table = RouteTable::build(routes, &error);
  EXPECT_NE(table, nullptr) << error;
  return table;
}

TEST(RouteTable, LongestPrefixWins) {
  const std::vector<RouteSpec> routes = {
      {cidr("10.0.0.0/8"), 1},     {cidr("10.1.0.0/16"), 2},     {cidr("10.1.2.0/24"), 3},
      {cidr("10.1.2.128/25"), 4},  {cidr("10.1.2.200/32"), 5},
  };
  auto table = build_ok(routes);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->lookup(ip("10.9.9.9")), 1u);
  EXPECT_EQ(table->lookup(ip("10.1.9.9")), 2u);
  EXPECT_EQ(table->lookup(ip("10.1.2.1")), 3u);
  EXPECT_EQ(table->lookup(ip("10.1.2.127")), 3u);
  EXPECT_EQ(table->lookup(ip("10.1.2.128")), 4u);
  EXPECT_EQ(table->lookup(ip("10.1.2.199")), 4u);
  EXPECT_EQ(table->lookup(ip("10.1.2.200")), 5u);
  EXPECT_EQ(table->lookup(ip("10.1.2.201")), 4u);
  EXPECT_EQ(table->lookup(ip("11.0.0.1")), kNoGateway);
  EXPECT_EQ(table->lookup(ip("9.255.255.255")), kNoGateway);
  EXPECT_EQ(table->route_count(), routes.size());
}

TEST(RouteTable, DefaultRouteCatchesEverythingElse) {
  auto table = build_ok({{cidr("0.0.0.0/0"), 7}, {cidr("192.168.0.0/16"), 8}});
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->lookup(ip("1.2.3.4")), 7u);
  EXPECT_EQ(table->lookup(ip("255.255.255.255")), 7u);
  EXPECT_EQ(table->lookup(ip("192.168.44.1")), 8u);
  const uint32_t dst[2] = {ip("192.168.0.1").value, ip("8.8.8.8").value};
  uint32_t gw[2] = {};
  EXPECT_EQ(table->lookup_burst(dst, gw, 2), 2);
  EXPECT_EQ(gw[1], 7u);
}

TEST(RouteTable, HostBitsInDestinationAreIgnored) {
  auto table = build_ok({{Cidr{ip("172.16.5.77"), 16}, 3}});
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->lookup(ip("172.16.200.1")), 3u);
  EXPECT_EQ(table->lookup(ip("172.17.0.1")), kNoGateway);
}

TEST(RouteTable, EmptyTableMatchesNothing) {
  auto table = build_ok({});
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->lookup(ip("10.0.0.1")), kNoGateway);
}

TEST(RouteTable, LargestGatewayIndexSurvivesTheLookup) {
  auto table = build_ok({{cidr("10.0.0.0/8"), kMaxGatewayIndex}, {cidr("10.0.0.0/30"), 0}});
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->lookup(ip("10.5.0.0")), kMaxGatewayIndex);
  EXPECT_EQ(table->lookup(ip("10.0.0.3")), 0u);
}

TEST(RouteTable, RejectsGatewayIndexBeyondLpmNextHop) {
  std::string error;
  const std::vector<RouteSpec> routes = {{cidr("10.0.0.0/8"), kMaxGatewayIndex + 1}};
  EXPECT_EQ(RouteTable::build(routes, &error), nullptr);
  EXPECT_NE(error.find("gateway index"), std::string::npos) << error;
}

TEST(RouteTable, RejectsDuplicateDestination) {
  std::string error;
  const std::vector<RouteSpec> routes = {{cidr("10.0.0.0/8"), 1}, {cidr("10.0.0.0/8"), 2}};
  EXPECT_EQ(RouteTable::build(routes, &error), nullptr);
  EXPECT_NE(error.find("10.0.0.0/8"), std::string::npos) << error;
}

TEST(RouteTable, BurstLookupCountsMatchesAndMarksMisses) {
  auto table = build_ok({{cidr("10.0.0.0/8"), 1}, {cidr("10.1.2.0/29"), 2}});
  ASSERT_NE(table, nullptr);
  const uint32_t dst[4] = {ip("10.1.2.3").value, ip("8.8.8.8").value, ip("10.200.0.1").value,
                           ip("10.1.2.8").value};
  uint32_t gw[4] = {};
  EXPECT_EQ(table->lookup_burst(dst, gw, 4), 3);
  EXPECT_EQ(gw[0], 2u);
  EXPECT_EQ(gw[1], kNoGateway);
  EXPECT_EQ(gw[2], 1u);
  EXPECT_EQ(gw[3], 1u);
}

// 1000 random routes of every length, many nested, and random addresses
// biased into the routed space: every burst result equals the reference.
TEST(RouteTable, MatchesBruteForceOnRandomRoutes) {
  std::mt19937 rng(20261125);
  std::vector<RouteSpec> routes;
  std::set<std::pair<uint32_t, uint8_t>> seen;
  while (routes.size() < 1000) {
    // Addresses in 10.0.0.0/12 so that prefixes nest and overlap often.
    const uint32_t addr = (10u << 24) | (rng() & 0x000fffffu);
    const uint8_t len = static_cast<uint8_t>(8 + rng() % 25);
    const Cidr c{Ipv4Addr{addr}, len};
    if (!seen.insert({c.first().value, len}).second) continue;
    routes.push_back({Cidr{c.first(), len}, static_cast<uint32_t>(rng() % 500)});
  }
  routes.push_back({cidr("0.0.0.0/0"), 499});
  auto table = build_ok(routes);
  ASSERT_NE(table, nullptr);

  constexpr uint16_t kBurst = 32;
  for (int round = 0; round < 200; ++round) {
    uint32_t dst[kBurst];
    for (uint32_t& d : dst) {
      d = (rng() % 8 == 0) ? static_cast<uint32_t>(rng()) : (10u << 24) | (rng() & 0x000fffffu);
    }
    uint32_t gw[kBurst];
    table->lookup_burst(dst, gw, kBurst);
    for (uint16_t i = 0; i < kBurst; ++i) {
      ASSERT_EQ(gw[i], reference_route(routes, Ipv4Addr{dst[i]}))
          << "dst " << Ipv4Addr{dst[i]}.str();
    }
  }
}

}  // namespace
}  // namespace vpngw::dataplane::test
