// SpdClassifier: which rule a packet hits, gateway separation, rule order,
// bursts, and 10 000 rules against a brute-force reference.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "dataplane/lookup/spd_classifier.hpp"
#include "tests/dataplane/lookup/lookup_test_support.hpp"

namespace vpngw::dataplane::test {
namespace {

std::unique_ptr<SpdClassifier> build_ok(const std::vector<SpdRuleSpec>& rules) {
  std::string error;
  auto spd = SpdClassifier::build(rules, &error);
  EXPECT_NE(spd, nullptr) << error;
  return spd;
}

TEST(SpdClassifier, PacketInsideRuleGetsItsAction) {
  auto spd = build_ok({
      {0, cidr("192.168.1.0/24"), cidr("10.20.0.0/16"), 11},
      {0, cidr("192.168.1.0/24"), cidr("10.30.0.0/16"), 12},
      {0, cidr("192.168.2.0/24"), cidr("10.20.0.0/16"), 13},
  });
  ASSERT_NE(spd, nullptr);
  EXPECT_EQ(spd->classify(0, ip("192.168.1.5"), ip("10.20.3.4")), 11u);
  EXPECT_EQ(spd->classify(0, ip("192.168.1.255"), ip("10.30.255.255")), 12u);
  EXPECT_EQ(spd->classify(0, ip("192.168.2.0"), ip("10.20.0.0")), 13u);
}

TEST(SpdClassifier, PacketOutsideEveryRuleGetsNoAction) {
  auto spd = build_ok({{0, cidr("192.168.1.0/24"), cidr("10.20.0.0/16"), 11}});
  ASSERT_NE(spd, nullptr);
  EXPECT_EQ(spd->classify(0, ip("192.168.0.255"), ip("10.20.3.4")), kNoAction);  // src out
  EXPECT_EQ(spd->classify(0, ip("192.168.1.5"), ip("10.21.0.0")), kNoAction);    // dst out
  EXPECT_EQ(spd->classify(0, ip("10.20.3.4"), ip("192.168.1.5")), kNoAction);    // reversed
  EXPECT_EQ(spd->classify(1, ip("192.168.1.5"), ip("10.20.3.4")), kNoAction);    // gateway
}

TEST(SpdClassifier, SameCidrsOnTwoGatewaysStaySeparate) {
  auto spd = build_ok({
      {3, cidr("172.16.0.0/12"), cidr("10.0.0.0/8"), 30},
      {4, cidr("172.16.0.0/12"), cidr("10.0.0.0/8"), 40},
      {70000, cidr("172.16.0.0/12"), cidr("10.0.0.0/8"), 50},
  });
  ASSERT_NE(spd, nullptr);
  EXPECT_EQ(spd->classify(3, ip("172.16.1.1"), ip("10.1.1.1")), 30u);
  EXPECT_EQ(spd->classify(4, ip("172.16.1.1"), ip("10.1.1.1")), 40u);
  EXPECT_EQ(spd->classify(70000, ip("172.16.1.1"), ip("10.1.1.1")), 50u);
  // Gateways differing only in a high byte must not alias.
  EXPECT_EQ(spd->classify(70000 & 0xffff, ip("172.16.1.1"), ip("10.1.1.1")), kNoAction);
  EXPECT_EQ(spd->classify(5, ip("172.16.1.1"), ip("10.1.1.1")), kNoAction);
}

TEST(SpdClassifier, FirstListedRuleWinsWhenRulesOverlap) {
  // The narrow rule is listed after the wide one in the first set and before
  // it in the second: order, not specificity, decides.
  auto wide_first = build_ok({
      {0, cidr("0.0.0.0/0"), cidr("10.0.0.0/8"), 1},
      {0, cidr("192.168.1.0/24"), cidr("10.1.1.0/24"), 2},
  });
  auto narrow_first = build_ok({
      {0, cidr("192.168.1.0/24"), cidr("10.1.1.0/24"), 2},
      {0, cidr("0.0.0.0/0"), cidr("10.0.0.0/8"), 1},
  });
  ASSERT_NE(wide_first, nullptr);
  ASSERT_NE(narrow_first, nullptr);
  EXPECT_EQ(wide_first->classify(0, ip("192.168.1.1"), ip("10.1.1.1")), 1u);
  EXPECT_EQ(narrow_first->classify(0, ip("192.168.1.1"), ip("10.1.1.1")), 2u);
  EXPECT_EQ(narrow_first->classify(0, ip("192.168.9.1"), ip("10.1.1.1")), 1u);
}

TEST(SpdClassifier, HostRulesAndActionZeroWork) {
  auto spd = build_ok({{2, cidr("192.0.2.1/32"), cidr("198.51.100.7/32"), 0}});
  ASSERT_NE(spd, nullptr);
  EXPECT_EQ(spd->classify(2, ip("192.0.2.1"), ip("198.51.100.7")), 0u);
  EXPECT_EQ(spd->classify(2, ip("192.0.2.1"), ip("198.51.100.6")), kNoAction);
}

TEST(SpdClassifier, EmptyRuleSetMatchesNothing) {
  auto spd = build_ok({});
  ASSERT_NE(spd, nullptr);
  EXPECT_EQ(spd->classify(0, ip("1.1.1.1"), ip("2.2.2.2")), kNoAction);
}

TEST(SpdClassifier, RejectsReservedAction) {
  std::string error;
  const std::vector<SpdRuleSpec> rules = {
      {0, cidr("192.168.1.0/24"), cidr("10.0.0.0/8"), kNoAction}};
  EXPECT_EQ(SpdClassifier::build(rules, &error), nullptr);
  EXPECT_NE(error.find("reserved"), std::string::npos) << error;
}

TEST(SpdClassifier, BurstLongerThanOneChunkIsClassifiedWhole) {
  auto spd = build_ok({{1, cidr("192.168.0.0/16"), cidr("10.0.0.0/24"), 9}});
  ASSERT_NE(spd, nullptr);
  constexpr uint16_t kN = 150;
  std::vector<SpdKey> keys;
  for (uint16_t i = 0; i < kN; ++i) {
    // Every third packet is outside the peer CIDR.
    const uint32_t dst = ip("10.0.0.0").value + (i % 3 == 0 ? 256u : i % 256u);
    keys.push_back(SpdKey::from_host(1, ip("192.168.3.3"), Ipv4Addr{dst}));
  }
  std::vector<uint32_t> actions(kN, 12345);
  EXPECT_EQ(spd->classify_burst(keys.data(), actions.data(), kN), kN - 50);
  for (uint16_t i = 0; i < kN; ++i) {
    EXPECT_EQ(actions[i], i % 3 == 0 ? kNoAction : 9u) << "packet " << i;
  }
}

// The shape the issue names: 20 tunnels x 10 rules x 50 peer CIDRs on one
// gateway would be 10 000 rules. Here 10 000 rules spread over 5 gateways,
// 20 tunnels each, with overlapping local and peer prefixes, so order
// matters; random packets, most of them inside some rule.
std::vector<SpdRuleSpec> random_rules(std::mt19937& rng, size_t count) {
  std::vector<SpdRuleSpec> rules;
  rules.reserve(count);
  while (rules.size() < count) {
    const uint32_t gateway = rng() % 5;
    const uint32_t tunnel = rng() % 20;
    const uint8_t local_len = static_cast<uint8_t>(16 + rng() % 9);
    const uint8_t peer_len = static_cast<uint8_t>(16 + rng() % 17);
    const Cidr local{Ipv4Addr{(192u << 24) | (168u << 16) | (static_cast<uint32_t>(rng()) & 0xffffu)}, local_len};
    const Cidr peer{Ipv4Addr{(10u << 24) | (tunnel << 16) | (static_cast<uint32_t>(rng()) & 0xffffu)}, peer_len};
    rules.push_back({gateway, Cidr{local.first(), local_len}, Cidr{peer.first(), peer_len},
                     gateway * 1000 + static_cast<uint32_t>(rules.size() % 997)});
  }
  return rules;
}

TEST(SpdClassifier, TenThousandRulesMatchBruteForce) {
  std::mt19937 rng(4301);
  const std::vector<SpdRuleSpec> rules = random_rules(rng, 10000);
  auto spd = build_ok(rules);
  ASSERT_NE(spd, nullptr);
  EXPECT_EQ(spd->rule_count(), 10000u);

  constexpr uint16_t kBurst = 32;
  size_t hits = 0;
  for (int round = 0; round < 300; ++round) {
    SpdKey keys[kBurst];
    uint32_t gateway[kBurst];
    Ipv4Addr src[kBurst];
    Ipv4Addr dst[kBurst];
    for (uint16_t i = 0; i < kBurst; ++i) {
      if (rng() % 4 == 0) {  // anywhere at all
        gateway[i] = rng() % 7;
        src[i] = Ipv4Addr{static_cast<uint32_t>(rng())};
        dst[i] = Ipv4Addr{static_cast<uint32_t>(rng())};
      } else {  // inside a random rule's prefixes
        const SpdRuleSpec& r = rules[rng() % rules.size()];
        gateway[i] = r.gateway_index;
        src[i] = Ipv4Addr{r.local.first().value | (static_cast<uint32_t>(rng()) & ~r.local.mask())};
        dst[i] = Ipv4Addr{r.peer.first().value | (static_cast<uint32_t>(rng()) & ~r.peer.mask())};
      }
      keys[i] = SpdKey::from_host(gateway[i], src[i], dst[i]);
    }
    uint32_t actions[kBurst];
    hits += spd->classify_burst(keys, actions, kBurst);
    for (uint16_t i = 0; i < kBurst; ++i) {
      ASSERT_EQ(actions[i], reference_spd(rules, gateway[i], src[i], dst[i]))
          << "gateway " << gateway[i] << " " << src[i].str() << " -> " << dst[i].str();
    }
  }
  // The packet mix really exercised matches (not only misses).
  EXPECT_GT(hits, 300u * kBurst / 2);
}

}  // namespace
}  // namespace vpngw::dataplane::test
