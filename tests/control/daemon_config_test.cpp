// The daemon's TOML configuration: defaults, every section, and errors that
// name the key.
#include <gtest/gtest.h>

#include "control/daemon_config.hpp"

namespace vpngw {
namespace {

TEST(DaemonConfig, DefaultsWithoutAnyKeys) {
  auto cfg = parse_daemon_config("");
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->state_dir, "/var/lib/vpngw");
  EXPECT_EQ(cfg->socket_path, "/run/vpngw/vpngw.sock");
  EXPECT_EQ(cfg->public_port.port, 0);
  EXPECT_EQ(cfg->private_port.port, 1);
  EXPECT_EQ(cfg->quotas.tunnels_per_gateway, 20u);
  EXPECT_EQ(cfg->quotas.peer_cidrs_per_rule, 50u);
}

TEST(DaemonConfig, EverySection) {
  auto cfg = parse_daemon_config(R"(
[daemon]
state_dir = "/tmp/s"
log_level = "debug"
[api]
socket = "/tmp/s/api.sock"
group = "vpngw"
client_timeout_ms = 2000
[ports.public]
port = 1
address = "198.51.100.1/24"
next_hop = "198.51.100.254"
mtu = 1400
[ports.private]
port = 0
address = "198.18.1.1/24"
[workers]
lcores = [1, 2]
busy_poll = true
[eal]
args = ["--no-huge", "-m", "512"]
[quotas]
tunnels_per_gateway = 40
spd_rules_per_tunnel = 5
)");
  ASSERT_TRUE(cfg.ok()) << cfg.error().field << ": " << cfg.error().message;
  EXPECT_EQ(cfg->state_dir, "/tmp/s");
  EXPECT_EQ(cfg->api_group, "vpngw");
  EXPECT_EQ(cfg->client_timeout_ms, 2000u);
  EXPECT_EQ(cfg->public_port.port, 1);
  EXPECT_EQ(cfg->public_port.host->str(), "198.51.100.1");
  EXPECT_EQ(cfg->public_port.address->str(), "198.51.100.0/24");
  EXPECT_EQ(cfg->public_port.next_hop->str(), "198.51.100.254");
  EXPECT_EQ(cfg->private_port.port, 0);
  EXPECT_EQ(cfg->worker_lcores, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(cfg->public_port.mtu, 1400u);
  EXPECT_EQ(cfg->private_port.mtu, 1500u);  // the default
  EXPECT_TRUE(cfg->busy_poll);
  EXPECT_EQ(cfg->eal_args.size(), 3u);
  EXPECT_EQ(cfg->quotas.tunnels_per_gateway, 40u);
  EXPECT_EQ(cfg->quotas.spd_rules_per_tunnel, 5u);
  EXPECT_EQ(cfg->quotas.customer_gateways, 20u);
}

TEST(DaemonConfig, StaticNeighboursOnTheSubnetOrTheNextHop) {
  auto cfg = parse_daemon_config(R"(
[ports.public]
address = "198.51.100.1/24"
next_hop = "192.0.2.1"
static_neighbours = { "198.51.100.9" = "02:00:00:00:00:09", "192.0.2.1" = "0a:bb:cc:dd:ee:01" }
)");
  ASSERT_TRUE(cfg.ok()) << cfg.error().field << ": " << cfg.error().message;
  ASSERT_EQ(cfg->public_port.static_neighbours.size(), 2u);
  bool saw_next_hop = false;
  for (const auto& n : cfg->public_port.static_neighbours)
    if (n.ip.str() == "192.0.2.1") {
      saw_next_hop = true;
      EXPECT_EQ(n.mac, (std::array<uint8_t, 6>{0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0x01}));
    }
  EXPECT_TRUE(saw_next_hop);
  EXPECT_TRUE(cfg->private_port.static_neighbours.empty());
}

TEST(DaemonConfig, ErrorsNameTheKey) {
  struct Case {
    const char* text;
    const char* field;
  };
  const Case cases[] = {
      {"[quotas]\nvpcs = 0", "quotas.vpcs"},
      {"[quotas]\ntunnels = 3", "quotas.tunnels"},
      {"[ports.public]\naddress = \"nope\"", "ports.public.address"},
      {"[ports.public]\nnext_hop = \"1.2.3\"", "ports.public.next_hop"},
      {"[ports.private]\nport = 0", "ports.private.port"},
      {"[api]\nclient_timeout_ms = \"fast\"", "api.client_timeout_ms"},
      {"[workers]\nlcores = 3", "workers.lcores"},
      {"[workers]\nbusy_poll = 1", "workers.busy_poll"},
      {"[ports.public]\nmtu = 100", "ports.public.mtu"},
      {"[daemon\nstate_dir=1", ""},
      {"[ports.public]\naddress = \"198.18.0.1/15\"\n[ports.private]\naddress = \"198.18.1.1/24\"",
       "ports.private.address"},
      {"[ports.public]\naddress = \"198.51.100.1/24\"\nstatic_neighbours = { \"203.0.113.9\" = \"02:00:00:00:00:01\" }",
       "ports.public.static_neighbours"},
      {"[ports.public]\naddress = \"198.51.100.1/24\"\nstatic_neighbours = { \"198.51.100.9\" = \"01:00:5e:00:00:01\" }",
       "ports.public.static_neighbours"},
      {"[ports.public]\naddress = \"198.51.100.1/24\"\nstatic_neighbours = { \"198.51.100.9\" = \"02:00:00:00:00\" }",
       "ports.public.static_neighbours"},
      {"[ports.public]\naddress = \"198.51.100.1/24\"\nstatic_neighbours = { \"198.51.100.1\" = \"02:00:00:00:00:01\" }",
       "ports.public.static_neighbours"},
      {"[ports.public]\naddress = \"198.51.100.1/24\"\nstatic_neighbours = [\"198.51.100.9\"]",
       "ports.public.static_neighbours"},
  };
  for (const auto& c : cases) {
    auto cfg = parse_daemon_config(c.text);
    ASSERT_FALSE(cfg.ok()) << c.text;
    EXPECT_EQ(cfg.error().field, c.field) << c.text;
    EXPECT_FALSE(cfg.error().message.empty());
  }
}

}  // namespace
}  // namespace vpngw
