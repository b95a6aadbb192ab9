// The H3C Comware 7 form, asserted block by block.
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
  auto r = render_peer_config(f.input(), "h3c");
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->text : "";
}

Blocks blocks(const peer_test::PeerFixture& f) { return peer_test::parse_ios_blocks(render(f), '#'); }

TEST(H3c, SeedTunnelIkev2) {
  Blocks b = blocks(peer_test::seed_fixture());
  EXPECT_THAT(b["ikev2 proposal vpnx-1a2b3c4d"],
              ElementsAre("encryption aes-cbc-128", "integrity sha1", "prf sha1", "dh group2"));
  EXPECT_THAT(b["ikev2 keyring vpnx-1a2b3c4d"],
              ElementsAre("peer vpngw", "address 198.51.100.10 32", "identity address 198.51.100.10",
                          "pre-shared-key plaintext s3cretKey-01"));
  EXPECT_THAT(b["ikev2 profile vpnx-1a2b3c4d"], IsSupersetOf({
      "keyring vpnx-1a2b3c4d",
      "identity local address 203.0.113.5",
      "match remote identity address 198.51.100.10 32",
      "sa duration 86400",
      "dpd interval 8 retry 3 periodic",
  }));
  EXPECT_THAT(b["acl advanced 3101"],
              ElementsAre("rule permit ip source 192.0.2.0 0.0.0.255 destination 198.18.0.0 "
                          "0.0.15.255"));
  EXPECT_THAT(b["ipsec transform-set vpnx-1a2b3c4d"],
              ElementsAre("encapsulation-mode tunnel", "protocol esp",
                          "esp encryption-algorithm aes-cbc-128",
                          "esp authentication-algorithm sha1", "pfs dh-group2"));
  EXPECT_THAT(b["ipsec policy vpnx-1a2b3c4d 10 isakmp"],
              ElementsAre("transform-set vpnx-1a2b3c4d", "security acl 3101",
                          "remote-address 198.51.100.10", "ikev2-profile vpnx-1a2b3c4d",
                          "sa duration time-based 86400"));
}

TEST(H3c, Ikev1AggressiveWithFqdnIdentitiesAndTwoRules) {
  Blocks b = blocks(peer_test::ikev1_aggressive_fixture());
  EXPECT_THAT(b["ike proposal 10"],
              ElementsAre("encryption-algorithm aes-cbc-256", "authentication-algorithm sha256",
                          "authentication-method pre-share", "dh group14", "sa duration 28800"));
  EXPECT_THAT(b["ike keychain vpnx-2b3c4d5e"],
              ElementsAre("pre-shared-key address 198.51.100.10 255.255.255.255 key simple "
                          "Aggr3ssive_Key"));
  EXPECT_THAT(b["ike profile vpnx-2b3c4d5e"],
              ElementsAre("keychain vpnx-2b3c4d5e", "exchange-mode aggressive",
                          "local-identity fqdn hq.customer.example",
                          "match remote identity fqdn vpn.gateway.example", "proposal 10",
                          "dpd interval 10 retry 10 periodic"));
  EXPECT_THAT(b["acl advanced 3101"], ElementsAre(
      "rule permit ip source 192.0.2.0 0.0.0.127 destination 198.18.16.0 0.0.0.255",
      "rule permit ip source 198.19.1.0 0.0.0.255 destination 198.18.16.0 0.0.0.255"));
  EXPECT_THAT(b["ipsec policy vpnx-2b3c4d5e 20 isakmp"],
              ElementsAre("transform-set vpnx-2b3c4d5e", "security acl 3102",
                          "remote-address 198.51.100.10", "ike-profile vpnx-2b3c4d5e",
                          "sa duration time-based 3600", "sa duration traffic-based 4608000"));
}

TEST(H3c, GcmForCustomerBehindNat) {
  std::string text = render(peer_test::gcm_nat_fixture());
  Blocks b = peer_test::parse_ios_blocks(text, '#');
  // AEAD: no integrity transform, only the PRF.
  EXPECT_THAT(b["ikev2 proposal vpnx-3c4d5e6f"],
              ElementsAre("encryption aes-gcm-128", "prf sha256", "dh group19"));
  EXPECT_THAT(b["ikev2 profile vpnx-3c4d5e6f"],
              Contains("identity local fqdn branch7.customer.example"));
  EXPECT_THAT(b["ipsec transform-set vpnx-3c4d5e6f"],
              ElementsAre("encapsulation-mode tunnel", "protocol esp",
                          "esp encryption-algorithm aes-gcm-256", "pfs dh-group19"));
  EXPECT_THAT(text, HasSubstr("extended sequence numbers (ESN)"));
  EXPECT_THAT(text, HasSubstr("vpngw only responds on this tunnel"));
}

TEST(H3c, LegacyTunnelWithoutPfsOrDpd) {
  Blocks b = blocks(peer_test::legacy_fixture());
  EXPECT_THAT(b["ike proposal 10"], IsSupersetOf({"encryption-algorithm 3des-cbc",
                                                  "authentication-algorithm md5", "dh group5"}));
  EXPECT_THAT(b["ike profile vpnx-4d5e6f70"], Contains("exchange-mode main"));
  EXPECT_THAT(b["ike profile vpnx-4d5e6f70"], Not(Contains(StartsWith("dpd"))));
  EXPECT_THAT(b["ipsec transform-set vpnx-4d5e6f70"], Not(Contains(StartsWith("pfs"))));
  EXPECT_THAT(b["ipsec transform-set vpnx-4d5e6f70"],
              IsSupersetOf({"esp encryption-algorithm des-cbc", "esp authentication-algorithm md5"}));
}

TEST(H3c, Curve25519IsExplainedNotEmitted) {
  std::string text = render(peer_test::curve25519_fixture());
  EXPECT_THAT(text, HasSubstr("# Comware has no DH group 31"));
  EXPECT_THAT(text, HasSubstr("# Comware has no PFS group 31"));
  EXPECT_THAT(text, Not(HasSubstr("group31")));
}

}  // namespace
}  // namespace vpngw
