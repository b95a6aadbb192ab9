// The swanctl.conf form: keys asserted in their place in the section tree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control/peer_config/peer_config.hpp"
#include "tests/peer_config/config_parsers.hpp"
#include "tests/peer_config/fixtures.hpp"

namespace vpngw {
namespace {

using ::testing::ElementsAre;
using Keys = std::map<std::string, std::string>;

Keys render(const peer_test::PeerFixture& f) {
  auto r = render_peer_config(f.input(), "swanctl");
  EXPECT_TRUE(r.ok());
  return r.ok() ? peer_test::parse_swanctl(r->text) : Keys{};
}

// Only the keys under `prefix`, with the prefix removed.
Keys under(const Keys& keys, const std::string& prefix) {
  Keys out;
  for (const auto& [k, v] : keys)
    if (k.rfind(prefix, 0) == 0) out[k.substr(prefix.size())] = v;
  return out;
}

TEST(Swanctl, SeedTunnel) {
  Keys keys = render(peer_test::seed_fixture());
  const std::string conn = "connections.vpnx-1a2b3c4d.";
  Keys expected{
      {"version", "2"},
      {"local_addrs", "203.0.113.5"},
      {"remote_addrs", "198.51.100.10"},
      {"proposals", "aes128-sha1-modp1024"},
      {"rekey_time", "77760s"},  // 90 % of 86400 s
      {"over_time", "8640s"},    // ... and the rest up to vpngw's hard lifetime
      {"keyingtries", "3"},
      {"dpd_delay", "8s"},
      {"local.auth", "psk"},
      {"local.id", "203.0.113.5"},
      {"remote.auth", "psk"},
      {"remote.id", "198.51.100.10"},
      {"children.vpnx-1a2b3c4d-1.mode", "tunnel"},
      {"children.vpnx-1a2b3c4d-1.local_ts", "192.0.2.0/24"},
      {"children.vpnx-1a2b3c4d-1.remote_ts", "198.18.0.0/20"},
      {"children.vpnx-1a2b3c4d-1.esp_proposals", "aes128-sha1-modp1024"},
      {"children.vpnx-1a2b3c4d-1.rekey_time", "77760s"},
      {"children.vpnx-1a2b3c4d-1.life_time", "86400s"},
      {"children.vpnx-1a2b3c4d-1.dpd_action", "trap"},  // hold
      {"children.vpnx-1a2b3c4d-1.start_action", "start"},
  };
  EXPECT_EQ(under(keys, conn), expected);
  Keys secrets{{"id-local", "203.0.113.5"},
               {"id-remote", "198.51.100.10"},
               {"secret", "\"s3cretKey-01\""}};
  EXPECT_EQ(under(keys, "secrets.ike-vpnx-1a2b3c4d."), secrets);
}

TEST(Swanctl, NonDefaultIkev1Aggressive) {
  Keys c = under(render(peer_test::ikev1_aggressive_fixture()), "connections.vpnx-2b3c4d5e.");
  EXPECT_EQ(c["version"], "1");
  EXPECT_EQ(c["aggressive"], "yes");
  EXPECT_EQ(c["proposals"], "aes256-sha256-modp2048");
  // IKEv1 SAs are reauthenticated rather than rekeyed.
  EXPECT_EQ(c["reauth_time"], "25920s");
  EXPECT_FALSE(c.count("rekey_time"));
  EXPECT_EQ(c["dpd_delay"], "10s");
  EXPECT_EQ(c["dpd_timeout"], "30s");
  EXPECT_EQ(c["local.id"], "hq.customer.example");
  EXPECT_EQ(c["remote.id"], "vpn.gateway.example");

  struct Child { const char* name; const char* local; const char* remote; };
  for (Child ch : {Child{"vpnx-2b3c4d5e-1-1", "192.0.2.0/25", "198.18.16.0/24"},
                   Child{"vpnx-2b3c4d5e-1-2", "198.19.1.0/24", "198.18.16.0/24"},
                   Child{"vpnx-2b3c4d5e-2", "198.19.2.0/24", "198.18.17.0/24"}}) {
    SCOPED_TRACE(ch.name);
    std::string p = std::string("children.") + ch.name + ".";
    EXPECT_EQ(c[p + "local_ts"], ch.local);
    EXPECT_EQ(c[p + "remote_ts"], ch.remote);
    EXPECT_EQ(c[p + "esp_proposals"], "aes256-sha256-modp2048");
    EXPECT_EQ(c[p + "rekey_time"], "3240s");
    EXPECT_EQ(c[p + "life_time"], "3600s");
    EXPECT_EQ(c[p + "life_bytes"], "4718592000");
    EXPECT_EQ(c[p + "rekey_bytes"], "4246732800");
    EXPECT_EQ(c[p + "dpd_action"], "restart");
    EXPECT_EQ(c[p + "start_action"], "trap");
  }
  size_t children = 0;
  for (const auto& [k, v] : c) children += k.ends_with(".local_ts");
  EXPECT_EQ(children, 3u);
}

TEST(Swanctl, CustomerBehindNatWithGcm) {
  Keys keys = render(peer_test::gcm_nat_fixture());
  Keys c = under(keys, "connections.vpnx-3c4d5e6f.");
  EXPECT_EQ(c["local_addrs"], "%any");
  EXPECT_EQ(c["remote_addrs"], "198.51.100.10");
  EXPECT_EQ(c["proposals"], "aes128gcm16-prfsha256-ecp256");
  EXPECT_FALSE(c.count("dpd_timeout"));  // IKEv2 ignores it
  EXPECT_EQ(c["local.id"], "branch7.customer.example");
  EXPECT_EQ(c["children.vpnx-3c4d5e6f-1.esp_proposals"], "aes256gcm16-ecp256-esn");
  EXPECT_EQ(c["children.vpnx-3c4d5e6f-1.dpd_action"], "clear");
  EXPECT_EQ(c["children.vpnx-3c4d5e6f-1.start_action"], "start");
  EXPECT_EQ(keys["secrets.ike-vpnx-3c4d5e6f.id-local"], "branch7.customer.example");
}

// The names of the children under connection `conn`.
std::vector<std::string> child_names(const Keys& keys, const std::string& conn) {
  std::vector<std::string> names;
  for (const auto& [k, v] : under(keys, "connections." + conn + ".children.")) {
    if (!k.ends_with(".mode")) continue;
    names.push_back(k.substr(0, k.size() - std::string_view(".mode").size()));
  }
  return names;
}

// vpngw negotiates one CHILD_SA per tunnel and refuses a second one, so an
// IKEv2 tunnel's rules all go in one child, or all but the first stay down.
TEST(Swanctl, Ikev2PutsEveryRuleInOneChild) {
  Keys keys = render(peer_test::gcm_nat_fixture());
  EXPECT_THAT(child_names(keys, "vpnx-3c4d5e6f"), ElementsAre("vpnx-3c4d5e6f-1"));
  Keys child = under(keys, "connections.vpnx-3c4d5e6f.children.vpnx-3c4d5e6f-1.");
  // The customer's subnets (our peer CIDRs), then ours, in rule order.
  EXPECT_EQ(child["local_ts"],
            "192.0.2.128/26, 192.0.2.192/26, 198.19.32.0/24, 198.19.33.0/24");
  EXPECT_EQ(child["remote_ts"], "198.18.32.0/24, 198.18.33.0/24");
}

TEST(Swanctl, Ikev2ChildListsEachSubnetOnce) {
  auto f = peer_test::gcm_nat_fixture();
  // A third rule repeating the first rule's local CIDR and a peer CIDR of
  // each earlier rule, plus one new peer CIDR.
  f.tunnel.spd.push_back({peer_test::cidr("198.18.32.0/24"),
                          {peer_test::cidr("198.19.33.0/24"), peer_test::cidr("198.19.34.0/24"),
                           peer_test::cidr("192.0.2.128/26")}});
  Keys keys = render(f);
  EXPECT_THAT(child_names(keys, "vpnx-3c4d5e6f"), ElementsAre("vpnx-3c4d5e6f-1"));
  Keys child = under(keys, "connections.vpnx-3c4d5e6f.children.vpnx-3c4d5e6f-1.");
  EXPECT_EQ(child["local_ts"],
            "192.0.2.128/26, 192.0.2.192/26, 198.19.32.0/24, 198.19.33.0/24, 198.19.34.0/24");
  EXPECT_EQ(child["remote_ts"], "198.18.32.0/24, 198.18.33.0/24");
}

// tests/e2e/ike_*.sh find the child by its "<tunnel id>-" name: every IKEv2
// fixture has exactly one, named "<tunnel id>-1" as before.
TEST(Swanctl, Ikev2ChildKeepsItsName) {
  for (const auto& f : peer_test::all_fixtures()) {
    if (f.tunnel.ike.version != IkeVersion::ikev2) continue;
    SCOPED_TRACE(f.label);
    EXPECT_THAT(child_names(render(f), f.tunnel.id), ElementsAre(f.tunnel.id + "-1"));
  }
}

TEST(Swanctl, LegacyTunnelWithoutDpdAndAnEncodedPsk) {
  Keys keys = render(peer_test::legacy_fixture());
  Keys c = under(keys, "connections.vpnx-4d5e6f70.");
  EXPECT_EQ(c["proposals"], "3des-md5-modp1536");
  EXPECT_EQ(c["children.vpnx-4d5e6f70-1.esp_proposals"], "des-md5");
  EXPECT_FALSE(c.count("dpd_delay"));
  EXPECT_FALSE(c.count("children.vpnx-4d5e6f70-1.dpd_action"));
  EXPECT_EQ(keys["secrets.ike-vpnx-4d5e6f70.secret"], "0scSJ3XGUkciN0MA==");
}

TEST(Swanctl, PskThatLooksHexIsEncoded) {
  Keys keys = render(peer_test::curve25519_fixture());
  EXPECT_EQ(keys["connections.vpnx-5e6f7081.proposals"], "aes256-sha512-curve25519");
  EXPECT_EQ(keys["connections.vpnx-5e6f7081.children.vpnx-5e6f7081-1.esp_proposals"],
            "aes128gcm16-curve25519");
  // Quoted "0x..." would still be read as hex by swanctl.
  EXPECT_EQ(keys["secrets.ike-vpnx-5e6f7081.secret"], "0sMHhERUFEQkVFRmNhZmU=");
}

}  // namespace
}  // namespace vpngw
