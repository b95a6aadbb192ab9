// The resource model of PRODUCT.md as plain value types. Validation lives in
// validation.{hpp,cpp}; these structs only hold already-checked data.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "control/policy.hpp"

namespace vpngw {

enum class ResourceStatus : uint8_t { creating, running, deleting };
enum class ConnectionStatus : uint8_t { connecting, connected, phase1_failed, phase2_failed };

std::string_view name_of(ResourceStatus s);
std::string_view name_of(ConnectionStatus s);

struct Vpc {
  std::string id;              // vpc-xxxxxxxx
  std::string name;
  std::vector<Cidr> cidrs;     // at least one, non-overlapping
  std::string route_table_id;  // rtb-xxxxxxxx: the VPC's route table
  int64_t created_at = 0;      // unix seconds
};

inline constexpr std::array<uint32_t, 8> kBandwidthTiersMbps{5, 10, 20, 50, 100, 200, 500, 1000};

struct VpnGateway {
  std::string id;  // vpngw-xxxxxxxx
  std::string name;
  std::string vpc_id;
  Ipv4Addr public_ip;
  uint32_t bandwidth_mbps = 5;
  ResourceStatus status = ResourceStatus::creating;
  int64_t created_at = 0;
};

struct CustomerGateway {
  std::string id;  // cgw-xxxxxxxx
  std::string name;
  Ipv4Addr public_ip;  // 0.0.0.0: any address, peer matched by IKE identity
  int64_t created_at = 0;
};

struct SpdRule {
  Cidr local;
  std::vector<Cidr> peers;
  bool operator==(const SpdRule&) const = default;
};

// An IKE identity: an IPv4 address or an FQDN. Empty means "the default"
// (our gateway's public IP locally, the customer gateway's IP remotely).
struct Identity {
  std::string value;
  bool empty() const { return value.empty(); }
  bool is_ip() const { return Ipv4Addr::parse(value).has_value(); }
  bool operator==(const Identity&) const = default;
};

struct IkePolicy {
  IkeVersion version = IkeVersion::ikev2;
  IkeMode mode = IkeMode::main;  // IKEv1 only
  Cipher encryption = Cipher::aes128;
  Integrity integrity = Integrity::sha1;  // also the PRF
  DhGroup dh_group = DhGroup::modp1024;
  Identity local_id;
  Identity remote_id;
  uint32_t lifetime_s = 86400;
  bool operator==(const IkePolicy&) const = default;
};

struct IpsecPolicy {
  Cipher encryption = Cipher::aes128;
  Integrity integrity = Integrity::sha1;  // unused with AES-GCM
  DhGroup pfs = DhGroup::modp1024;        // DhGroup::none = PFS disabled
  uint32_t lifetime_s = 86400;
  uint64_t lifetime_kb = 0;  // 0 = no volume limit
  bool esn = false;
  bool operator==(const IpsecPolicy&) const = default;
};

struct DpdSettings {
  uint32_t delay_s = 8;    // 0 disables liveness checks
  uint32_t timeout_s = 13;
  DpdAction action = DpdAction::hold;
  bool operator==(const DpdSettings&) const = default;
};

struct Tunnel {
  std::string id;  // vpnx-xxxxxxxx
  std::string name;
  std::string gateway_id;
  std::string customer_gateway_id;
  std::string psk;  // clear text in memory only; sealed in the store, masked in the API
  std::vector<SpdRule> spd;
  IkePolicy ike;
  IpsecPolicy ipsec;
  DpdSettings dpd;
  StartAction start_action = StartAction::start;
  bool auto_route = false;
  ResourceStatus status = ResourceStatus::creating;
  ConnectionStatus connection = ConnectionStatus::connecting;
  std::string connection_reason;  // why the last negotiation failed, if it did
  int64_t created_at = 0;
};

struct Route {
  std::string id;  // rt-xxxxxxxx
  std::string vpc_id;
  Cidr destination;
  std::string gateway_id;  // next hop: a VPN gateway of the same VPC
  std::string tunnel_id;   // set for automatic routes: the tunnel that owns it
  int64_t created_at = 0;
  bool is_automatic() const { return !tunnel_id.empty(); }
};

// A manually keyed ESP SA of a tunnel (`vpngwctl sa create`): for peers
// without IKE, and to drive the dataplane before IKE. Keys are hex strings,
// secrets like PSKs: sealed in the store, never shown by list/show.
struct StaticSa {
  std::string id;  // sa-xxxxxxxx
  std::string tunnel_id;
  bool inbound = false;
  uint32_t spi = 0;
  Cipher encryption = Cipher::aes128;
  std::optional<Integrity> integrity = Integrity::sha1;  // nullopt ("none") with AES-GCM
  std::string enc_key;   // hex; GCM: key || 4-byte salt
  std::string auth_key;  // hex; empty with AES-GCM
  bool udp_encap = false;
  // Inbound only: anti-replay window in packets, 0 (off) or 32-4096. Off is
  // for benchmarks replaying one capture (as ipsec-secgw's default) and
  // peers that cannot keep sequence numbers; a real SA keeps it on.
  uint32_t replay_window = 1024;
  int64_t created_at = 0;
};

// Everything the control plane persists, as loaded at start-up.
struct ResourceSnapshot {
  std::vector<Vpc> vpcs;
  std::vector<VpnGateway> gateways;
  std::vector<CustomerGateway> customer_gateways;
  std::vector<Tunnel> tunnels;
  std::vector<Route> routes;
  std::vector<StaticSa> static_sas;
};

}  // namespace vpngw
