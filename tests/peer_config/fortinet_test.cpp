// The FortiOS CLI form: settings asserted inside their `edit` block.
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
using Edits = std::map<std::string, std::vector<std::string>>;

std::string render(const peer_test::PeerFixture& f) {
  auto r = render_peer_config(f.input(), "fortinet");
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->text : "";
}

Edits edits(const peer_test::PeerFixture& f) { return peer_test::parse_fortios_edits(render(f)); }

TEST(Fortinet, SeedTunnel) {
  Edits e = edits(peer_test::seed_fixture());
  EXPECT_THAT(e["vpn ipsec phase1-interface/vpnx-1a2b3c4d"], IsSupersetOf({
      "set ike-version 2",
      "set proposal aes128-sha1",
      "set dhgrp 2",
      "set keylife 86400",
      "set remote-gw 198.51.100.10",
      "set peertype any",
      "set psksecret \"s3cretKey-01\"",
      "set dpd on-idle",
      "set dpd-retryinterval 8",
      "set dpd-retrycount 2",
  }));
  // The default identity (the interface address) is what vpngw expects.
  EXPECT_THAT(e["vpn ipsec phase1-interface/vpnx-1a2b3c4d"],
              Not(Contains(StartsWith("set localid"))));
  EXPECT_THAT(e["vpn ipsec phase2-interface/vpnx-1a2b3c4d-1"], IsSupersetOf({
      "set phase1name \"vpnx-1a2b3c4d\"",
      "set proposal aes128-sha1",
      "set pfs enable",
      "set dhgrp 2",
      "set keylifeseconds 86400",
      "set auto-negotiate enable",
      "set src-subnet 192.0.2.0 255.255.255.0",
      "set dst-subnet 198.18.0.0 255.255.240.0",
  }));
  EXPECT_THAT(e["router static/0"], IsSupersetOf({"set dst 198.18.0.0 255.255.240.0",
                                                  "set device \"vpnx-1a2b3c4d\""}));
}

TEST(Fortinet, Ikev1AggressiveWithFqdnIdentitiesAndAPhase2PerPair) {
  Edits e = edits(peer_test::ikev1_aggressive_fixture());
  EXPECT_THAT(e["vpn ipsec phase1-interface/vpnx-2b3c4d5e"], IsSupersetOf({
      "set ike-version 1",
      "set mode aggressive",
      "set proposal aes256-sha256",
      "set dhgrp 14",
      "set keylife 28800",
      "set localid-type fqdn",
      "set localid \"hq.customer.example\"",
      "set peertype one",
      "set peerid \"vpn.gateway.example\"",
      "set dpd-retryinterval 10",
      "set dpd-retrycount 3",
  }));
  struct Phase2 { const char* name; const char* src; const char* dst; };
  for (Phase2 p : {Phase2{"vpnx-2b3c4d5e-1-1", "192.0.2.0 255.255.255.128", "198.18.16.0 255.255.255.0"},
                   Phase2{"vpnx-2b3c4d5e-1-2", "198.19.1.0 255.255.255.0", "198.18.16.0 255.255.255.0"},
                   Phase2{"vpnx-2b3c4d5e-2", "198.19.2.0 255.255.255.0", "198.18.17.0 255.255.255.0"}}) {
    SCOPED_TRACE(p.name);
    EXPECT_THAT(e[std::string("vpn ipsec phase2-interface/") + p.name], IsSupersetOf({
        std::string("set src-subnet ") + p.src,
        std::string("set dst-subnet ") + p.dst,
        std::string("set proposal aes256-sha256"),
        std::string("set dhgrp 14"),
        std::string("set keylife-type both"),
        std::string("set keylifekbs 4608000"),
        std::string("set keylifeseconds 3600"),
        std::string("set auto-negotiate disable"),  // vpngw's trap: on traffic
    }));
  }
}

TEST(Fortinet, GcmAndCustomerBehindNat) {
  Edits e = edits(peer_test::gcm_nat_fixture());
  EXPECT_THAT(e["vpn ipsec phase1-interface/vpnx-3c4d5e6f"],
              IsSupersetOf({"set proposal aes128gcm-prfsha256", "set dhgrp 19",
                            "set localid-type fqdn", "set localid \"branch7.customer.example\""}));
  EXPECT_THAT(e["vpn ipsec phase2-interface/vpnx-3c4d5e6f-2-2"],
              IsSupersetOf({"set proposal aes256gcm", "set src-subnet 198.19.33.0 255.255.255.0",
                            "set auto-negotiate enable"}));
  EXPECT_THAT(render(peer_test::gcm_nat_fixture()), HasSubstr("extended sequence numbers (ESN)"));
}

TEST(Fortinet, LegacyTunnel) {
  Edits e = edits(peer_test::legacy_fixture());
  EXPECT_THAT(e["vpn ipsec phase1-interface/vpnx-4d5e6f70"],
              IsSupersetOf({"set mode main", "set proposal 3des-md5", "set dhgrp 5",
                            "set dpd disable", "set psksecret \"q\\\"w\\\\e$r#t0\""}));
  EXPECT_THAT(e["vpn ipsec phase2-interface/vpnx-4d5e6f70-1"],
              IsSupersetOf({"set proposal des-md5", "set pfs disable", "set keylifekbs 5120"}));
  EXPECT_THAT(render(peer_test::legacy_fixture()), HasSubstr("vpngw rekeys after 1024 KB"));
}

TEST(Fortinet, Group24IsExplainedNotEmitted) {
  auto f = peer_test::seed_fixture();
  f.tunnel.ike.dh_group = DhGroup::modp2048s256;
  f.tunnel.ipsec.pfs = DhGroup::modp2048s256;
  std::string text = render(f);
  EXPECT_THAT(text, HasSubstr("# FortiOS has no DH group 24"));
  EXPECT_THAT(text, HasSubstr("# FortiOS has no PFS group 24"));
  EXPECT_THAT(text, Not(HasSubstr("set dhgrp")));
  // curve25519 is fine on FortiOS.
  EXPECT_THAT(edits(peer_test::curve25519_fixture())["vpn ipsec phase1-interface/vpnx-5e6f7081"],
              Contains("set dhgrp 31"));
}

}  // namespace
}  // namespace vpngw
