// The Cisco IOS form, asserted block by block (a command and the lines under it).
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
using ::testing::Not;
using ::testing::StartsWith;
using Blocks = std::map<std::string, std::vector<std::string>>;

std::string render(const peer_test::PeerFixture& f) {
  auto r = render_peer_config(f.input(), "cisco-ios");
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->text : "";
}

TEST(CiscoIos, SeedTunnelUsesIkev2ProfileAndCryptoMap) {
  std::string text = render(peer_test::seed_fixture());
  Blocks b = peer_test::parse_ios_blocks(text);
  EXPECT_EQ(b["crypto ikev2 proposal vpnx-1a2b3c4d-ikev2"],
            (std::vector<std::string>{"encryption aes-cbc-128", "integrity sha1", "group 2"}));
  EXPECT_EQ(b["crypto ikev2 keyring vpnx-1a2b3c4d-keyring"],
            (std::vector<std::string>{"peer vpngw", "address 198.51.100.10",
                                      "pre-shared-key s3cretKey-01"}));
  auto& profile = b["crypto ikev2 profile vpnx-1a2b3c4d-profile"];
  EXPECT_THAT(profile, Contains("match identity remote address 198.51.100.10 255.255.255.255"));
  EXPECT_THAT(profile, Contains("identity local address 203.0.113.5"));
  EXPECT_THAT(profile, Contains("keyring local vpnx-1a2b3c4d-keyring"));
  EXPECT_THAT(profile, Contains("lifetime 86400"));
  // vpngw's 8 s is below IOS's minimum: raised, and the output says so.
  EXPECT_THAT(profile, Contains("dpd 10 2 periodic"));
  EXPECT_THAT(text, HasSubstr("vpngw probes every 8 s; IOS allows no DPD interval below 10 s"));

  EXPECT_TRUE(b.count("crypto ipsec transform-set vpnx-1a2b3c4d-ts esp-aes esp-sha-hmac"));
  EXPECT_THAT(b["ip access-list extended vpnx-1a2b3c4d-rule1"],
              ElementsAre("permit ip 192.0.2.0 0.0.0.255 198.18.0.0 0.0.15.255"));
  EXPECT_THAT(b["crypto map vpnx-1a2b3c4d-map 10 ipsec-isakmp"],
              ElementsAre("set peer 198.51.100.10", "set transform-set vpnx-1a2b3c4d-ts",
                          "set pfs group2", "set security-association lifetime seconds 86400",
                          "set ikev2-profile vpnx-1a2b3c4d-profile",
                          "match address vpnx-1a2b3c4d-rule1"));
}

TEST(CiscoIos, Ikev1AggressiveWithFqdnIdentitiesAndTwoRules) {
  std::string text = render(peer_test::ikev1_aggressive_fixture());
  Blocks b = peer_test::parse_ios_blocks(text);
  EXPECT_THAT(b["crypto keyring vpnx-2b3c4d5e-keyring"],
              ElementsAre("pre-shared-key address 198.51.100.10 key Aggr3ssive_Key"));
  EXPECT_THAT(b["crypto isakmp policy 10"],
              ElementsAre("encryption aes 256", "hash sha256", "authentication pre-share",
                          "group 14", "lifetime 28800"));
  auto& profile = b["crypto isakmp profile vpnx-2b3c4d5e-profile"];
  EXPECT_THAT(profile, Contains("keyring vpnx-2b3c4d5e-keyring"));
  EXPECT_THAT(profile, Contains("self-identity fqdn"));
  EXPECT_THAT(text, HasSubstr("to make it hq.customer.example"));
  EXPECT_THAT(profile, Contains("match identity host vpn.gateway.example"));
  EXPECT_THAT(profile, Contains("initiate mode aggressive"));
  EXPECT_THAT(profile, Contains("keepalive 10 retry 4"));

  EXPECT_TRUE(b.count("crypto ipsec transform-set vpnx-2b3c4d5e-ts esp-aes 256 esp-sha256-hmac"));
  EXPECT_THAT(b["ip access-list extended vpnx-2b3c4d5e-rule1"],
              ElementsAre("permit ip 192.0.2.0 0.0.0.127 198.18.16.0 0.0.0.255",
                          "permit ip 198.19.1.0 0.0.0.255 198.18.16.0 0.0.0.255"));
  EXPECT_THAT(b["ip access-list extended vpnx-2b3c4d5e-rule2"],
              ElementsAre("permit ip 198.19.2.0 0.0.0.255 198.18.17.0 0.0.0.255"));
  for (auto [seq, acl] : {std::pair{10, "rule1"}, std::pair{20, "rule2"}}) {
    auto& entry = b["crypto map vpnx-2b3c4d5e-map " + std::to_string(seq) + " ipsec-isakmp"];
    EXPECT_THAT(entry, Contains("set pfs group14"));
    EXPECT_THAT(entry, Contains("set security-association lifetime seconds 3600"));
    EXPECT_THAT(entry, Contains("set security-association lifetime kilobytes 4608000"));
    EXPECT_THAT(entry, Contains("set isakmp-profile vpnx-2b3c4d5e-profile"));
    EXPECT_THAT(entry, Contains(std::string("match address vpnx-2b3c4d5e-") + acl));
  }
}

TEST(CiscoIos, GcmForCustomerBehindNat) {
  std::string text = render(peer_test::gcm_nat_fixture());
  Blocks b = peer_test::parse_ios_blocks(text);
  // AEAD: a PRF instead of an integrity transform.
  EXPECT_EQ(b["crypto ikev2 proposal vpnx-3c4d5e6f-ikev2"],
            (std::vector<std::string>{"encryption aes-gcm-128", "prf sha256", "group 19"}));
  EXPECT_THAT(b["crypto ikev2 profile vpnx-3c4d5e6f-profile"],
              Contains("identity local fqdn branch7.customer.example"));
  EXPECT_TRUE(b.count("crypto ipsec transform-set vpnx-3c4d5e6f-ts esp-gcm 256"));
  EXPECT_THAT(b["crypto map vpnx-3c4d5e6f-map 20 ipsec-isakmp"], Contains("set pfs group19"));
  EXPECT_THAT(text, HasSubstr("extended sequence numbers (ESN)"));
  EXPECT_THAT(text, HasSubstr("vpngw only responds on this tunnel"));
}

TEST(CiscoIos, LegacyTunnelWithoutPfsAndRaisedVolumeLifetime) {
  std::string text = render(peer_test::legacy_fixture());
  Blocks b = peer_test::parse_ios_blocks(text);
  EXPECT_THAT(b["crypto isakmp policy 10"],
              ElementsAre("encryption 3des", "hash md5", "authentication pre-share", "group 5",
                          "lifetime 86400"));
  EXPECT_TRUE(b.count("crypto ipsec transform-set vpnx-4d5e6f70-ts esp-des esp-md5-hmac"));
  auto& entry = b["crypto map vpnx-4d5e6f70-map 10 ipsec-isakmp"];
  for (const std::string& line : entry) EXPECT_THAT(line, Not(StartsWith("set pfs")));
  EXPECT_THAT(entry, Contains("set security-association lifetime kilobytes 2560"));
  EXPECT_THAT(text, HasSubstr("vpngw rekeys after 1024 KB"));
  EXPECT_THAT(b["crypto isakmp profile vpnx-4d5e6f70-profile"],
              Not(Contains(StartsWith("keepalive"))));
  EXPECT_THAT(b["crypto keyring vpnx-4d5e6f70-keyring"],
              ElementsAre("pre-shared-key address 198.51.100.10 key q\"w\\e$r#t0"));
}

TEST(CiscoIos, Curve25519IsExplainedNotEmitted) {
  std::string text = render(peer_test::curve25519_fixture());
  Blocks b = peer_test::parse_ios_blocks(text);
  EXPECT_THAT(b["crypto ikev2 proposal vpnx-5e6f7081-ikev2"],
              ElementsAre("encryption aes-cbc-256", "integrity sha512"));
  EXPECT_THAT(text, HasSubstr("! IOS has no DH group 31"));
  EXPECT_THAT(text, HasSubstr("! IOS has no PFS group 31"));
  EXPECT_THAT(b["crypto map vpnx-5e6f7081-map 10 ipsec-isakmp"],
              Not(Contains(StartsWith("set pfs"))));
}

}  // namespace
}  // namespace vpngw
