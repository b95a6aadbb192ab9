// vpngwd's configuration: the TOML file, overridden by command-line flags.
// Every key has a default, so the daemon runs without a file.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "control/api_error.hpp"
#include "control/bench_knobs.hpp"
#include "control/quotas.hpp"

namespace vpngw {

// A neighbour whose MAC the operator fixes (as `ip neigh add ... nud
// permanent`): never asked for, never aged, never changed by ARP.
struct StaticNeighbour {
  Ipv4Addr ip;
  std::array<uint8_t, 6> mac{};
};

struct PortConfig {
  uint16_t port = 0;                 // DPDK port id
  std::optional<Cidr> address;       // the appliance's own address and prefix on that port
  std::optional<Ipv4Addr> host;      // host part of address (address.addr keeps host bits)
  std::optional<Ipv4Addr> next_hop;  // default next hop (public side)
  uint32_t mtu = 1500;               // IP MTU of the link (576-9000)
  std::vector<StaticNeighbour> static_neighbours;  // on the port's subnet or its next hop
};

inline constexpr size_t kMaxStaticNeighbours = 64;  // per port

struct DaemonConfig {
  std::string state_dir = "/var/lib/vpngw";
  std::string log_level = "info";
  std::string socket_path = "/run/vpngw/vpngw.sock";
  std::string api_group;  // empty: only root (and the daemon's own user)
  uint32_t client_timeout_ms = 10000;
  uint32_t max_clients = 1024;
  PortConfig public_port{.port = 0};
  PortConfig private_port{.port = 1};
  std::vector<uint32_t> worker_lcores;  // empty: every EAL lcore except the main one
  bool busy_poll = false;               // workers never sleep when idle (benchmarks)
  std::vector<std::string> eal_args;    // used when none are given after "--"
  Quotas quotas;
  BenchKnobs bench;  // [bench]: scripts/bench only (control/bench_knobs.hpp)
};

// Parses TOML text; errors name the key ("quotas.vpcs") and the rule.
Result<DaemonConfig> parse_daemon_config(const std::string& toml_text);
Result<DaemonConfig> load_daemon_config(const std::string& path);

}  // namespace vpngw
