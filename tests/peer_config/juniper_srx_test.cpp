// The Junos `set` form for SRX.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control/peer_config/peer_config.hpp"
#include "tests/peer_config/config_parsers.hpp"
#include "tests/peer_config/fixtures.hpp"

namespace vpngw {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::StartsWith;

std::vector<std::string> render(const peer_test::PeerFixture& f) {
  auto r = render_peer_config(f.input(), "juniper-srx");
  EXPECT_TRUE(r.ok());
  return r.ok() ? peer_test::trimmed_lines(r->text) : std::vector<std::string>{};
}

TEST(JuniperSrx, SeedTunnel) {
  auto lines = render(peer_test::seed_fixture());
  EXPECT_THAT(lines, IsSupersetOf({
      "set security ike proposal vpnx-1a2b3c4d-ike authentication-method pre-shared-keys",
      "set security ike proposal vpnx-1a2b3c4d-ike dh-group group2",
      "set security ike proposal vpnx-1a2b3c4d-ike authentication-algorithm sha1",
      "set security ike proposal vpnx-1a2b3c4d-ike encryption-algorithm aes-128-cbc",
      "set security ike proposal vpnx-1a2b3c4d-ike lifetime-seconds 86400",
      "set security ike policy vpnx-1a2b3c4d-ike pre-shared-key ascii-text \"s3cretKey-01\"",
      "set security ike gateway vpnx-1a2b3c4d address 198.51.100.10",
      "set security ike gateway vpnx-1a2b3c4d local-identity inet 203.0.113.5",
      "set security ike gateway vpnx-1a2b3c4d remote-identity inet 198.51.100.10",
      "set security ike gateway vpnx-1a2b3c4d dead-peer-detection interval 8",
      "set security ike gateway vpnx-1a2b3c4d dead-peer-detection threshold 2",
      "set security ike gateway vpnx-1a2b3c4d version v2-only",
      "set security ipsec proposal vpnx-1a2b3c4d-esp authentication-algorithm hmac-sha1-96",
      "set security ipsec proposal vpnx-1a2b3c4d-esp encryption-algorithm aes-128-cbc",
      "set security ipsec proposal vpnx-1a2b3c4d-esp lifetime-seconds 86400",
      "set security ipsec policy vpnx-1a2b3c4d-esp perfect-forward-secrecy keys group2",
      "set security ipsec vpn vpnx-1a2b3c4d traffic-selector ts-1 local-ip 192.0.2.0/24",
      "set security ipsec vpn vpnx-1a2b3c4d traffic-selector ts-1 remote-ip 198.18.0.0/20",
      "set security ipsec vpn vpnx-1a2b3c4d establish-tunnels immediately",
      "set routing-options static route 198.18.0.0/20 next-hop st0.0",
  }));
  // Main/aggressive mode is an IKEv1 setting only.
  EXPECT_THAT(lines, Not(Contains(StartsWith("set security ike policy vpnx-1a2b3c4d-ike mode"))));
}

TEST(JuniperSrx, NonDefaultIkev1AggressiveWithTrafficSelectorPerPair) {
  auto lines = render(peer_test::ikev1_aggressive_fixture());
  EXPECT_THAT(lines, IsSupersetOf({
      "set security ike proposal vpnx-2b3c4d5e-ike dh-group group14",
      "set security ike proposal vpnx-2b3c4d5e-ike authentication-algorithm sha-256",
      "set security ike proposal vpnx-2b3c4d5e-ike encryption-algorithm aes-256-cbc",
      "set security ike proposal vpnx-2b3c4d5e-ike lifetime-seconds 28800",
      "set security ike policy vpnx-2b3c4d5e-ike mode aggressive",
      "set security ike gateway vpnx-2b3c4d5e local-identity hostname hq.customer.example",
      "set security ike gateway vpnx-2b3c4d5e remote-identity hostname vpn.gateway.example",
      "set security ike gateway vpnx-2b3c4d5e dead-peer-detection interval 10",
      "set security ike gateway vpnx-2b3c4d5e dead-peer-detection threshold 3",
      "set security ike gateway vpnx-2b3c4d5e version v1-only",
      "set security ipsec proposal vpnx-2b3c4d5e-esp authentication-algorithm hmac-sha-256-128",
      "set security ipsec proposal vpnx-2b3c4d5e-esp encryption-algorithm aes-256-cbc",
      "set security ipsec proposal vpnx-2b3c4d5e-esp lifetime-seconds 3600",
      "set security ipsec proposal vpnx-2b3c4d5e-esp lifetime-kilobytes 4608000",
      "set security ipsec policy vpnx-2b3c4d5e-esp perfect-forward-secrecy keys group14",
      "set security ipsec vpn vpnx-2b3c4d5e traffic-selector ts-1-1 local-ip 192.0.2.0/25",
      "set security ipsec vpn vpnx-2b3c4d5e traffic-selector ts-1-1 remote-ip 198.18.16.0/24",
      "set security ipsec vpn vpnx-2b3c4d5e traffic-selector ts-1-2 local-ip 198.19.1.0/24",
      "set security ipsec vpn vpnx-2b3c4d5e traffic-selector ts-1-2 remote-ip 198.18.16.0/24",
      "set security ipsec vpn vpnx-2b3c4d5e traffic-selector ts-2 local-ip 198.19.2.0/24",
      "set security ipsec vpn vpnx-2b3c4d5e traffic-selector ts-2 remote-ip 198.18.17.0/24",
      "set security ipsec vpn vpnx-2b3c4d5e establish-tunnels on-traffic",
      "set routing-options static route 198.18.16.0/24 next-hop st0.0",
      "set routing-options static route 198.18.17.0/24 next-hop st0.0",
  }));
}

TEST(JuniperSrx, GcmHasNoAuthenticationAlgorithm) {
  auto lines = render(peer_test::gcm_nat_fixture());
  EXPECT_THAT(lines, IsSupersetOf({
      "set security ike proposal vpnx-3c4d5e6f-ike encryption-algorithm aes-128-gcm",
      "set security ike proposal vpnx-3c4d5e6f-ike dh-group group19",
      "set security ipsec proposal vpnx-3c4d5e6f-esp encryption-algorithm aes-256-gcm",
      "set security ipsec policy vpnx-3c4d5e6f-esp perfect-forward-secrecy keys group19",
      "set security ike gateway vpnx-3c4d5e6f local-identity hostname branch7.customer.example",
      "set security ipsec vpn vpnx-3c4d5e6f traffic-selector ts-2-2 local-ip 198.19.33.0/24",
  }));
  EXPECT_THAT(lines, Not(Contains(HasSubstr("authentication-algorithm"))));
  // sha256 is the PRF Junos pairs with aes-128-gcm: nothing to warn about.
  EXPECT_THAT(lines, Not(Contains(HasSubstr("cannot come up"))));
}

TEST(JuniperSrx, GcmWithAPrfJunosCannotPairIsExplained) {
  auto f = peer_test::gcm_nat_fixture();
  f.tunnel.ike.integrity = Integrity::sha1;
  auto lines = render(f);
  EXPECT_THAT(lines, Contains(HasSubstr("# Junos pairs aes-128-gcm with a sha256 PRF, but this tunnel's PRF is sha1")));
}

TEST(JuniperSrx, LegacyTunnelQuotesThePskAndOmitsDpdAndPfs) {
  auto lines = render(peer_test::legacy_fixture());
  EXPECT_THAT(lines, Contains("set security ike policy vpnx-4d5e6f70-ike pre-shared-key "
                              "ascii-text \"q\\\"w\\\\e$r#t0\""));
  EXPECT_THAT(lines, Contains("set security ike policy vpnx-4d5e6f70-ike mode main"));
  EXPECT_THAT(lines, Contains("set security ike proposal vpnx-4d5e6f70-ike encryption-algorithm "
                              "3des-cbc"));
  EXPECT_THAT(lines, Contains("set security ipsec proposal vpnx-4d5e6f70-esp "
                              "encryption-algorithm des-cbc"));
  EXPECT_THAT(lines, Contains("set security ipsec proposal vpnx-4d5e6f70-esp "
                              "authentication-algorithm hmac-md5-96"));
  EXPECT_THAT(lines, Not(Contains(HasSubstr("dead-peer-detection"))));
  EXPECT_THAT(lines, Not(Contains(HasSubstr("perfect-forward-secrecy"))));
}

TEST(JuniperSrx, Curve25519IsExplainedNotEmitted) {
  auto lines = render(peer_test::curve25519_fixture());
  EXPECT_THAT(lines, Contains(StartsWith("# Junos has no DH group 31")));
  EXPECT_THAT(lines, Contains(StartsWith("# Junos has no PFS group 31")));
  EXPECT_THAT(lines, Not(Contains(HasSubstr("dh-group"))));
  EXPECT_THAT(lines, Not(Contains(HasSubstr("perfect-forward-secrecy"))));
}

}  // namespace
}  // namespace vpngw
