// The Huawei VRP form, asserted block by block.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control/peer_config/peer_config.hpp"
#include "tests/peer_config/config_parsers.hpp"
#include "tests/peer_config/fixtures.hpp"

namespace vpngw {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::StartsWith;
using Blocks = std::map<std::string, std::vector<std::string>>;

std::string render(const peer_test::PeerFixture& f) {
  auto r = render_peer_config(f.input(), "huawei");
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->text : "";
}

Blocks blocks(const peer_test::PeerFixture& f) { return peer_test::parse_ios_blocks(render(f), '#'); }

TEST(Huawei, SeedTunnelIkev2) {
  std::string text = render(peer_test::seed_fixture());
  Blocks b = peer_test::parse_ios_blocks(text, '#');
  EXPECT_THAT(b["ike proposal 10"],
              ElementsAre("encryption-algorithm aes-128", "authentication-method pre-share",
                          "integrity-algorithm hmac-sha1-96", "prf hmac-sha1", "dh group2",
                          "sa duration 86400"));
  EXPECT_THAT(b["ike peer vpnx-1a2b3c4d"], IsSupersetOf({
      "undo version 1",
      "pre-shared-key cipher s3cretKey-01",
      "ike-proposal 10",
      "local-id-type ip",
      "local-id 203.0.113.5",
      "remote-id-type ip",
      "remote-id 198.51.100.10",
      "remote-address 198.51.100.10",
      "dpd type periodic",
      "dpd idle-time 10",
  }));
  EXPECT_THAT(text, HasSubstr("vpngw probes every 8 s; VRP allows no DPD idle time below 10 s"));
  EXPECT_THAT(b["acl number 3101"],
              ElementsAre("rule 5 permit ip source 192.0.2.0 0.0.0.255 destination 198.18.0.0 "
                          "0.0.15.255"));
  EXPECT_THAT(b["ipsec proposal vpnx-1a2b3c4d"],
              ElementsAre("transform esp", "encapsulation-mode tunnel",
                          "esp encryption-algorithm aes-128", "esp authentication-algorithm sha1"));
  EXPECT_THAT(b["ipsec policy vpnx-1a2b3c4d 10 isakmp"],
              ElementsAre("security acl 3101", "ike-peer vpnx-1a2b3c4d",
                          "proposal vpnx-1a2b3c4d", "pfs dh-group2",
                          "sa duration time-based 86400"));
}

TEST(Huawei, Ikev1AggressiveWithFqdnIdentitiesAndTwoRules) {
  Blocks b = blocks(peer_test::ikev1_aggressive_fixture());
  EXPECT_THAT(b["ike proposal 10"],
              ElementsAre("encryption-algorithm aes-256", "authentication-method pre-share",
                          "authentication-algorithm sha2-256", "dh group14",
                          "sa duration 28800"));
  EXPECT_THAT(b["ike peer vpnx-2b3c4d5e"], IsSupersetOf({
      "undo version 2",
      "exchange-mode aggressive",
      "local-id-type fqdn",
      "local-id hq.customer.example",
      "remote-id-type fqdn",
      "remote-id vpn.gateway.example",
      "dpd idle-time 10",
  }));
  EXPECT_THAT(b["acl number 3101"],
              ElementsAre("rule 5 permit ip source 192.0.2.0 0.0.0.127 destination 198.18.16.0 "
                          "0.0.0.255",
                          "rule 10 permit ip source 198.19.1.0 0.0.0.255 destination 198.18.16.0 "
                          "0.0.0.255"));
  EXPECT_THAT(b["acl number 3102"], ElementsAre("rule 5 permit ip source 198.19.2.0 0.0.0.255 "
                                                "destination 198.18.17.0 0.0.0.255"));
  EXPECT_THAT(b["ipsec policy vpnx-2b3c4d5e 20 isakmp"],
              ElementsAre("security acl 3102", "ike-peer vpnx-2b3c4d5e",
                          "proposal vpnx-2b3c4d5e", "pfs dh-group14",
                          "sa duration time-based 3600", "sa duration traffic-based 4608000"));
}

TEST(Huawei, GcmIsExplainedNotEmitted) {
  std::string text = render(peer_test::gcm_nat_fixture());
  Blocks b = peer_test::parse_ios_blocks(text, '#');
  EXPECT_THAT(text, HasSubstr("# VRP has no aes128gcm for IKE"));
  EXPECT_THAT(text, HasSubstr("# VRP has no aes256gcm for ESP"));
  EXPECT_THAT(b["ipsec proposal vpnx-3c4d5e6f"], Not(Contains(StartsWith("esp "))));
  EXPECT_THAT(b["ike peer vpnx-3c4d5e6f"], Contains("local-id branch7.customer.example"));
}

TEST(Huawei, LegacyTunnelWithoutPfsOrDpd) {
  Blocks b = blocks(peer_test::legacy_fixture());
  EXPECT_THAT(b["ike proposal 10"], IsSupersetOf({"encryption-algorithm 3des",
                                                  "authentication-algorithm md5", "dh group5"}));
  EXPECT_THAT(b["ipsec proposal vpnx-4d5e6f70"],
              IsSupersetOf({"esp encryption-algorithm des", "esp authentication-algorithm md5"}));
  EXPECT_THAT(b["ipsec policy vpnx-4d5e6f70 10 isakmp"], Not(Contains(StartsWith("pfs"))));
  EXPECT_THAT(b["ike peer vpnx-4d5e6f70"], Not(Contains(StartsWith("dpd"))));
  EXPECT_THAT(b["ike peer vpnx-4d5e6f70"], Contains("pre-shared-key cipher q\"w\\e$r#t0"));
}

TEST(Huawei, Curve25519IsExplainedNotEmitted) {
  std::string text = render(peer_test::curve25519_fixture());
  EXPECT_THAT(text, HasSubstr("# VRP has no DH group 31"));
  EXPECT_THAT(text, Not(HasSubstr("dh group31")));
}

}  // namespace
}  // namespace vpngw
