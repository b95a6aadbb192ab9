// One tunnel's configuration as the engine needs it, cut out of the
// ResourceSnapshot: addresses from its gateway and customer gateway, the
// policies, identities, PSK and the selectors of all its SPD rules (as
// (local, peer) pairs: CHILD_SAs carry one or several of them). Compared as a whole to decide
// whether a configure() call changed the tunnel (then it reconnects).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "control/model.hpp"
#include "ike/engine/engine_io.hpp"

namespace vpngw::ike {

struct TunnelConfig {
  std::string tunnel_id;
  std::string name;
  Ipv4Addr gateway_ip;   // ours: the VPN gateway's public IP
  Ipv4Addr peer_ip;      // the customer gateway's; 0.0.0.0 = any (respond only)
  std::string psk;
  IkePolicy ike;
  IpsecPolicy ipsec;
  DpdSettings dpd;
  StartAction start_action = StartAction::start;
  std::vector<Cidr> local_cidrs;  // every SPD rule's local CIDR, deduplicated
  std::vector<Cidr> peer_cidrs;   // every peer CIDR of every rule, deduplicated
  std::vector<SpdPair> pairs;     // every (local, peer) of every rule, in rule order

  bool respond_only() const {
    return start_action == StartAction::respond || peer_ip.is_unspecified();
  }
  bool operator==(const TunnelConfig&) const = default;
};

// nullopt when the tunnel's gateway or customer gateway is missing from the
// snapshot, or the tunnel is being deleted.
std::optional<TunnelConfig> tunnel_config(const ResourceSnapshot& state, const Tunnel& tunnel);

std::vector<TunnelConfig> tunnel_configs(const ResourceSnapshot& state);

}  // namespace vpngw::ike
