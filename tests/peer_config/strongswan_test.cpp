// The ipsec.conf form (seed 004's download), left = the customer's device.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control/peer_config/peer_config.hpp"
#include "tests/peer_config/config_parsers.hpp"
#include "tests/peer_config/fixtures.hpp"

namespace vpngw {
namespace {

using ::testing::Contains;
using ::testing::Not;
using peer_test::parse_ipsec_conf;
using peer_test::trimmed_lines;

std::string render(const peer_test::PeerFixture& f) {
  auto r = render_peer_config(f.input(), "strongswan");
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->text : "";
}

TEST(StrongswanIpsecConf, SeedTunnelMatchesSeedFormWithSidesSwapped) {
  std::string text = render(peer_test::seed_fixture());
  auto conns = parse_ipsec_conf(text);
  ASSERT_EQ(conns.size(), 1u);
  ASSERT_TRUE(conns.count("vpnx-1a2b3c4d"));
  std::map<std::string, std::string> expected{
      {"keyingtries", "3"},
      {"authby", "psk"},
      {"auto", "start"},
      {"type", "tunnel"},
      {"keyexchange", "ikev2"},
      {"esp", "aes128-sha1-modp1024!"},
      {"ike", "aes128-sha1-modp1024!"},
      {"ikelifetime", "86400s"},
      {"lifetime", "86400s"},
      {"left", "203.0.113.5"},  // the customer gateway
      {"leftid", "203.0.113.5"},
      {"leftsubnet", "192.0.2.0/24"},  // our SPD rule's peer CIDR
      {"right", "198.51.100.10"},      // our VPN gateway
      {"rightid", "198.51.100.10"},
      {"rightsubnet", "198.18.0.0/20"},  // our SPD rule's local CIDR
      {"dpdaction", "hold"},
      {"dpddelay", "8s"},
      {"dpdtimeout", "13s"},
  };
  EXPECT_EQ(conns["vpnx-1a2b3c4d"], expected);
  EXPECT_THAT(trimmed_lines(text), Contains("# 203.0.113.5 198.51.100.10 : PSK \"s3cretKey-01\""));
}

TEST(StrongswanIpsecConf, NonDefaultTunnelSplitsIkev1ChildrenPerSubnetPair) {
  auto conns = parse_ipsec_conf(render(peer_test::ikev1_aggressive_fixture()));
  ASSERT_EQ(conns.size(), 4u);
  auto& base = conns["vpnx-2b3c4d5e"];
  EXPECT_EQ(base["auto"], "ignore");  // the base conn only carries shared settings
  EXPECT_EQ(base["keyexchange"], "ikev1");
  EXPECT_EQ(base["aggressive"], "yes");
  EXPECT_EQ(base["ike"], "aes256-sha256-modp2048!");
  EXPECT_EQ(base["esp"], "aes256-sha256-modp2048!");
  EXPECT_EQ(base["ikelifetime"], "28800s");
  EXPECT_EQ(base["lifetime"], "3600s");
  EXPECT_EQ(base["lifebytes"], "4718592000");
  EXPECT_EQ(base["leftid"], "hq.customer.example");
  EXPECT_EQ(base["rightid"], "vpn.gateway.example");
  EXPECT_EQ(base["dpdaction"], "restart");
  EXPECT_EQ(base["dpddelay"], "10s");
  EXPECT_EQ(base["dpdtimeout"], "30s");
  EXPECT_FALSE(base.count("leftsubnet"));

  struct Child { const char* name; const char* left; const char* right; };
  for (Child c : {Child{"vpnx-2b3c4d5e-1-1", "192.0.2.0/25", "198.18.16.0/24"},
                  Child{"vpnx-2b3c4d5e-1-2", "198.19.1.0/24", "198.18.16.0/24"},
                  Child{"vpnx-2b3c4d5e-2", "198.19.2.0/24", "198.18.17.0/24"}}) {
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(conns.count(c.name));
    auto& child = conns[c.name];
    EXPECT_EQ(child["also"], "vpnx-2b3c4d5e");
    EXPECT_EQ(child["leftsubnet"], c.left);
    EXPECT_EQ(child["rightsubnet"], c.right);
    EXPECT_EQ(child["auto"], "route");  // vpngw's trap: on traffic
  }
}

TEST(StrongswanIpsecConf, SecretsLineUsesBothIdentities) {
  std::string text = render(peer_test::ikev1_aggressive_fixture());
  EXPECT_THAT(trimmed_lines(text),
              Contains("# hq.customer.example vpn.gateway.example : PSK \"Aggr3ssive_Key\""));
}

// vpngw negotiates one CHILD_SA per tunnel and refuses a second one, so an
// IKEv2 tunnel's rules all go in one conn: strongSwan takes subnet lists with
// IKEv2.
TEST(StrongswanIpsecConf, IkeV2PutsEveryRuleInOneConn) {
  auto conns = parse_ipsec_conf(render(peer_test::gcm_nat_fixture()));
  ASSERT_EQ(conns.size(), 1u);
  ASSERT_TRUE(conns.count("vpnx-3c4d5e6f"));
  auto& conn = conns["vpnx-3c4d5e6f"];
  EXPECT_EQ(conn["left"], "%any");  // customer behind NAT
  EXPECT_EQ(conn["leftid"], "branch7.customer.example");
  EXPECT_EQ(conn["ike"], "aes128gcm16-prfsha256-ecp256!");
  EXPECT_EQ(conn["esp"], "aes256gcm16-ecp256-esn!");
  EXPECT_EQ(conn["dpdaction"], "clear");
  // The customer's subnets (our peer CIDRs), then ours, in rule order.
  EXPECT_EQ(conn["leftsubnet"], "192.0.2.128/26,192.0.2.192/26,198.19.32.0/24,198.19.33.0/24");
  EXPECT_EQ(conn["rightsubnet"], "198.18.32.0/24,198.18.33.0/24");
  EXPECT_FALSE(conn.count("also"));
  // vpngw only responds, so the customer must start the tunnel.
  EXPECT_EQ(conn["auto"], "start");
}

TEST(StrongswanIpsecConf, IkeV2ConnListsEachSubnetOnce) {
  auto f = peer_test::gcm_nat_fixture();
  // A third rule repeating the first rule's local CIDR and a peer CIDR of
  // each earlier rule, plus one new peer CIDR.
  f.tunnel.spd.push_back({peer_test::cidr("198.18.32.0/24"),
                          {peer_test::cidr("198.19.33.0/24"), peer_test::cidr("198.19.34.0/24"),
                           peer_test::cidr("192.0.2.128/26")}});
  auto conns = parse_ipsec_conf(render(f));
  ASSERT_EQ(conns.size(), 1u);
  auto& conn = conns["vpnx-3c4d5e6f"];
  EXPECT_EQ(conn["leftsubnet"],
            "192.0.2.128/26,192.0.2.192/26,198.19.32.0/24,198.19.33.0/24,198.19.34.0/24");
  EXPECT_EQ(conn["rightsubnet"], "198.18.32.0/24,198.18.33.0/24");
}

TEST(StrongswanIpsecConf, LegacyProposalsWithoutPfsAndDpdOff) {
  std::string text = render(peer_test::legacy_fixture());
  auto conns = parse_ipsec_conf(text);
  auto& conn = conns["vpnx-4d5e6f70"];
  EXPECT_EQ(conn["ike"], "3des-md5-modp1536!");
  EXPECT_EQ(conn["esp"], "des-md5!");  // no DH keyword: PFS disabled
  EXPECT_EQ(conn["dpdaction"], "none");
  EXPECT_FALSE(conn.count("dpddelay"));
  EXPECT_FALSE(conn.count("aggressive"));
  // A PSK with quotes and backslashes travels base64-encoded.
  EXPECT_THAT(trimmed_lines(text),
              Contains("# 203.0.113.200 198.51.100.10 : PSK 0scSJ3XGUkciN0MA=="));
}

TEST(StrongswanIpsecConf, LeavesOutKeywordsStrongswan5Ignores) {
  for (const auto& f : peer_test::all_fixtures()) {
    for (const auto& [name, conn] : parse_ipsec_conf(render(f))) {
      EXPECT_FALSE(conn.count("pfs")) << name;
      EXPECT_FALSE(conn.count("leftnexthop")) << name;
      EXPECT_FALSE(conn.count("rightnexthop")) << name;
    }
  }
}

}  // namespace
}  // namespace vpngw
