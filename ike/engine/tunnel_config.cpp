#include "ike/engine/tunnel_config.hpp"

#include <algorithm>

namespace vpngw::ike {

namespace {

void add_unique(std::vector<Cidr>& out, const Cidr& cidr) {
  if (std::find(out.begin(), out.end(), cidr) == out.end()) out.push_back(cidr);
}

}  // namespace

std::optional<TunnelConfig> tunnel_config(const ResourceSnapshot& state, const Tunnel& tunnel) {
  if (tunnel.status == ResourceStatus::deleting) return std::nullopt;
  if (tunnel.ike.version != IkeVersion::ikev2) return std::nullopt;
  const VpnGateway* gateway = nullptr;
  for (const VpnGateway& g : state.gateways)
    if (g.id == tunnel.gateway_id) gateway = &g;
  const CustomerGateway* customer = nullptr;
  for (const CustomerGateway& c : state.customer_gateways)
    if (c.id == tunnel.customer_gateway_id) customer = &c;
  if (gateway == nullptr || customer == nullptr) return std::nullopt;

  TunnelConfig c;
  c.tunnel_id = tunnel.id;
  c.name = tunnel.name;
  c.gateway_ip = gateway->public_ip;
  c.peer_ip = customer->public_ip;
  c.psk = tunnel.psk;
  c.ike = tunnel.ike;
  c.ipsec = tunnel.ipsec;
  c.dpd = tunnel.dpd;
  c.start_action = tunnel.start_action;
  for (const SpdRule& rule : tunnel.spd) {
    add_unique(c.local_cidrs, rule.local);
    for (const Cidr& peer : rule.peers) {
      add_unique(c.peer_cidrs, peer);
      const SpdPair pair{rule.local, peer};
      if (std::find(c.pairs.begin(), c.pairs.end(), pair) == c.pairs.end()) c.pairs.push_back(pair);
    }
  }
  return c;
}

std::vector<TunnelConfig> tunnel_configs(const ResourceSnapshot& state) {
  std::vector<TunnelConfig> out;
  for (const Tunnel& t : state.tunnels)
    if (auto c = tunnel_config(state, t)) out.push_back(std::move(*c));
  return out;
}

}  // namespace vpngw::ike
