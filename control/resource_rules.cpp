#include "control/resource_rules.hpp"

#include <algorithm>

#include "control/field_rules.hpp"

namespace vpngw {

namespace {

std::string cidr_list(const std::vector<Cidr>& cidrs) {
  std::string out;
  for (const auto& c : cidrs) out += (out.empty() ? "" : ", ") + c.str();
  return out;
}

template <typename T>
const T* find_by_id(const std::vector<T>& list, const std::string& id) {
  auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.id == id; });
  return it == list.end() ? nullptr : &*it;
}

// Names are unique per kind so that every command can take a name.
template <typename T>
Status check_name_unique(const T& item, const std::vector<T>& list) {
  if (auto rule = check_name(item.name)) return invalid("name", *rule);
  for (const auto& other : list)
    if (other.id != item.id && other.name == item.name)
      return ApiError{ErrorCode::ResourceInUse, "name",
                      "'" + item.name + "' is already used by " + other.id};
  return std::nullopt;
}

template <typename T, typename Pred>
uint32_t count_others(const std::vector<T>& list, const std::string& self_id, Pred pred) {
  return static_cast<uint32_t>(std::count_if(
      list.begin(), list.end(), [&](const T& x) { return x.id != self_id && pred(x); }));
}

bool is_new(const std::string& id, const auto& list) { return find_by_id(list, id) == nullptr; }

ApiError limit(std::string field, const std::string& what, uint32_t quota) {
  return {ErrorCode::LimitExceeded, std::move(field),
          "at most " + std::to_string(quota) + " " + what};
}

Status check_ike(const IkePolicy& ike) {
  if (ike.version == IkeVersion::ikev2 && ike.mode == IkeMode::aggressive)
    return invalid("ike.mode", "aggressive mode exists only in IKEv1; use ike.version ikev1");
  if (ike.version == IkeVersion::ikev1 && is_aead(ike.encryption))
    return invalid("ike.encryption", "AES-GCM for IKE requires ikev2");
  if (ike.lifetime_s < 3600 || ike.lifetime_s > 86400)
    return invalid("ike.lifetime", "must be 3600-86400 seconds");
  if (!ike.local_id.empty())
    if (auto rule = check_identity(ike.local_id.value)) return invalid("ike.local_id", *rule);
  if (!ike.remote_id.empty())
    if (auto rule = check_identity(ike.remote_id.value)) return invalid("ike.remote_id", *rule);
  return std::nullopt;
}

Status check_ipsec(const IpsecPolicy& ipsec) {
  if (ipsec.integrity == Integrity::sha384 || ipsec.integrity == Integrity::sha512)
    return invalid("ipsec.integrity", "must be one of md5, sha1, sha256");
  if (ipsec.lifetime_s < 3600 || ipsec.lifetime_s > 86400)
    return invalid("ipsec.lifetime", "must be 3600-86400 seconds");
  if (ipsec.lifetime_kb != 0 && (ipsec.lifetime_kb < 1024 || ipsec.lifetime_kb > UINT32_MAX))
    return invalid("ipsec.lifetime_kb", "must be 0 (no limit) or 1024-4294967295 KB");
  return std::nullopt;
}

Status check_dpd(const DpdSettings& dpd) {
  if (dpd.delay_s > 3600) return invalid("dpd.delay", "must be 0 (off) or 1-3600 seconds");
  if (dpd.timeout_s > 86400) return invalid("dpd.timeout", "must be at most 86400 seconds");
  if (dpd.delay_s != 0 && dpd.timeout_s <= dpd.delay_s)
    return invalid("dpd.timeout", "must be greater than dpd.delay (" +
                                      std::to_string(dpd.delay_s) + " s)");
  return std::nullopt;
}

}  // namespace

Status check_vpc(const Vpc& vpc, const ResourceSnapshot& state, const Quotas& quotas) {
  if (auto err = check_name_unique(vpc, state.vpcs)) return err;
  if (is_new(vpc.id, state.vpcs) && state.vpcs.size() >= quotas.vpcs)
    return limit("name", "VPCs per appliance", quotas.vpcs);
  if (vpc.cidrs.empty()) return ApiError{ErrorCode::MissingParameter, "cidrs", "at least one CIDR is required"};
  if (vpc.cidrs.size() > quotas.cidrs_per_vpc)
    return limit("cidrs", "CIDRs per VPC", quotas.cidrs_per_vpc);
  for (size_t i = 0; i < vpc.cidrs.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (vpc.cidrs[i].overlaps(vpc.cidrs[j]))
        return invalid("cidrs[" + std::to_string(i) + "]",
                       vpc.cidrs[i].str() + " overlaps " + vpc.cidrs[j].str());
  return std::nullopt;
}

Status check_gateway(const VpnGateway& gw, const ResourceSnapshot& state, const Quotas& quotas) {
  if (auto err = check_name_unique(gw, state.gateways)) return err;
  if (!find_by_id(state.vpcs, gw.vpc_id))
    return ApiError{ErrorCode::ResourceNotFound, "vpc", "no VPC " + gw.vpc_id};
  if (count_others(state.gateways, gw.id, [&](const VpnGateway& g) { return g.vpc_id == gw.vpc_id; }) >=
      quotas.gateways_per_vpc)
    return limit("vpc", "VPN gateways per VPC", quotas.gateways_per_vpc);
  if (auto rule = check_gateway_public_ip(gw.public_ip)) return invalid("public_ip", *rule);
  for (const auto& other : state.gateways)
    if (other.id != gw.id && other.public_ip == gw.public_ip)
      return ApiError{ErrorCode::ResourceInUse, "public_ip",
                      gw.public_ip.str() + " is already the public IP of " + other.id};
  if (std::find(kBandwidthTiersMbps.begin(), kBandwidthTiersMbps.end(), gw.bandwidth_mbps) ==
      kBandwidthTiersMbps.end())
    return invalid("bandwidth", "must be one of 5, 10, 20, 50, 100, 200, 500, 1000 Mbps");
  return std::nullopt;
}

Status check_customer_gateway(const CustomerGateway& cgw, const ResourceSnapshot& state,
                              const Quotas& quotas) {
  if (auto err = check_name_unique(cgw, state.customer_gateways)) return err;
  if (is_new(cgw.id, state.customer_gateways) && state.customer_gateways.size() >= quotas.customer_gateways)
    return limit("name", "customer gateways per appliance", quotas.customer_gateways);
  if (auto rule = check_customer_gateway_ip(cgw.public_ip)) return invalid("public_ip", *rule);
  // Peers are told apart by address; only "any address" may repeat.
  if (!cgw.public_ip.is_unspecified())
    for (const auto& other : state.customer_gateways)
      if (other.id != cgw.id && other.public_ip == cgw.public_ip)
        return ApiError{ErrorCode::ResourceInUse, "public_ip",
                        cgw.public_ip.str() + " is already the address of " + other.id};
  return std::nullopt;
}

Status check_spd(const Tunnel& tunnel, const std::vector<Cidr>& vpc_cidrs,
                 const ResourceSnapshot& state, const Quotas& quotas) {
  if (tunnel.spd.empty())
    return ApiError{ErrorCode::MissingParameter, "spd", "at least one SPD rule is required"};
  if (tunnel.spd.size() > quotas.spd_rules_per_tunnel)
    return limit("spd", "SPD rules per tunnel", quotas.spd_rules_per_tunnel);
  for (size_t i = 0; i < tunnel.spd.size(); ++i) {
    const SpdRule& rule = tunnel.spd[i];
    const std::string at = "spd[" + std::to_string(i) + "]";
    const bool inside = std::any_of(vpc_cidrs.begin(), vpc_cidrs.end(),
                                    [&](const Cidr& c) { return c.contains(rule.local); });
    if (!inside)
      return invalid(at + ".local", rule.local.str() + " is not inside the VPC's CIDRs (" +
                                        cidr_list(vpc_cidrs) + ")");
    if (rule.peers.empty())
      return ApiError{ErrorCode::MissingParameter, at + ".peers", "at least one peer CIDR is required"};
    if (rule.peers.size() > quotas.peer_cidrs_per_rule)
      return limit(at + ".peers", "peer CIDRs per SPD rule", quotas.peer_cidrs_per_rule);
    for (size_t j = 0; j < rule.peers.size(); ++j) {
      const Cidr& peer = rule.peers[j];
      const std::string pat = at + ".peers[" + std::to_string(j) + "]";
      if (peer.overlaps(rule.local))
        return invalid(pat, peer.str() + " overlaps the local CIDR " + rule.local.str());
      for (const auto& vc : vpc_cidrs)
        if (peer.overlaps(vc)) return invalid(pat, peer.str() + " overlaps the VPC CIDR " + vc.str());
      for (size_t k = 0; k < j; ++k)
        if (peer.overlaps(rule.peers[k]))
          return invalid(pat, peer.str() + " overlaps " + rule.peers[k].str() + " in the same rule");
    }
    // Local CIDRs are unique per gateway: they decide which tunnel a VPC
    // packet enters.
    for (size_t k = 0; k < i; ++k)
      if (rule.local.overlaps(tunnel.spd[k].local))
        return invalid(at + ".local", rule.local.str() + " overlaps the local CIDR " +
                                          tunnel.spd[k].local.str() + " of spd[" + std::to_string(k) + "]");
    for (const auto& other : state.tunnels) {
      if (other.id == tunnel.id || other.gateway_id != tunnel.gateway_id) continue;
      for (const auto& orule : other.spd)
        if (rule.local.overlaps(orule.local))
          return invalid(at + ".local", rule.local.str() + " overlaps the local CIDR " +
                                            orule.local.str() + " of tunnel " + other.id +
                                            " on the same VPN gateway");
    }
  }
  return std::nullopt;
}

Status check_tunnel(const Tunnel& tunnel, const ResourceSnapshot& state, const Quotas& quotas) {
  if (auto err = check_name_unique(tunnel, state.tunnels)) return err;
  const VpnGateway* gw = find_by_id(state.gateways, tunnel.gateway_id);
  if (!gw) return ApiError{ErrorCode::ResourceNotFound, "gateway", "no VPN gateway " + tunnel.gateway_id};
  const CustomerGateway* cgw = find_by_id(state.customer_gateways, tunnel.customer_gateway_id);
  if (!cgw)
    return ApiError{ErrorCode::ResourceNotFound, "customer_gateway",
                    "no customer gateway " + tunnel.customer_gateway_id};
  const Vpc* vpc = find_by_id(state.vpcs, gw->vpc_id);
  if (!vpc) return ApiError{ErrorCode::InternalError, "gateway", "gateway's VPC is missing"};

  if (count_others(state.tunnels, tunnel.id,
                   [&](const Tunnel& t) { return t.gateway_id == tunnel.gateway_id; }) >=
      quotas.tunnels_per_gateway)
    return limit("gateway", "tunnels per VPN gateway", quotas.tunnels_per_gateway);
  if (count_others(state.tunnels, tunnel.id, [&](const Tunnel& t) {
        return t.customer_gateway_id == tunnel.customer_gateway_id;
      }) >= quotas.tunnels_per_customer_gateway)
    return limit("customer_gateway", "tunnels per customer gateway",
                 quotas.tunnels_per_customer_gateway);
  // One IKE peer per gateway and customer gateway: the pair identifies the tunnel.
  for (const auto& other : state.tunnels)
    if (other.id != tunnel.id && other.gateway_id == tunnel.gateway_id &&
        other.customer_gateway_id == tunnel.customer_gateway_id)
      return ApiError{ErrorCode::ResourceInUse, "customer_gateway",
                      "tunnel " + other.id + " already connects this VPN gateway and customer gateway"};

  if (auto rule = check_psk(tunnel.psk)) return invalid("psk", *rule);
  if (auto err = check_spd(tunnel, vpc->cidrs, state, quotas)) return err;
  if (auto err = check_ike(tunnel.ike)) return err;
  if (auto err = check_ipsec(tunnel.ipsec)) return err;
  if (auto err = check_dpd(tunnel.dpd)) return err;

  if (cgw->public_ip.is_unspecified()) {
    // Behind NAT with a changing address: we cannot initiate, and only the
    // peer's identity tells which tunnel it wants.
    if (tunnel.start_action != StartAction::respond)
      return invalid("start_action",
                     "must be respond: the customer gateway's address is 0.0.0.0 (any), so vpngw cannot initiate");
    if (tunnel.ike.remote_id.empty())
      return ApiError{ErrorCode::MissingParameter, "ike.remote_id",
                      "is required when the customer gateway's address is 0.0.0.0 (the peer is matched by identity)"};
  }
  return std::nullopt;
}

Status check_route(const Route& route, const ResourceSnapshot& state, const Quotas& quotas) {
  const Vpc* vpc = find_by_id(state.vpcs, route.vpc_id);
  if (!vpc) return ApiError{ErrorCode::ResourceNotFound, "vpc", "no VPC " + route.vpc_id};
  const VpnGateway* gw = find_by_id(state.gateways, route.gateway_id);
  if (!gw) return ApiError{ErrorCode::ResourceNotFound, "gateway", "no VPN gateway " + route.gateway_id};
  if (gw->vpc_id != route.vpc_id)
    return invalid("gateway", gw->id + " belongs to " + gw->vpc_id + ", not to " + route.vpc_id);
  for (const auto& c : vpc->cidrs)
    if (route.destination.overlaps(c))
      return invalid("destination", route.destination.str() + " overlaps the VPC CIDR " + c.str() +
                                        " (local traffic is never routed to a VPN gateway)");
  for (const auto& other : state.routes)
    if (other.id != route.id && other.vpc_id == route.vpc_id && other.destination == route.destination)
      return ApiError{ErrorCode::ResourceInUse, "destination",
                      route.destination.str() + " is already routed by " + other.id};
  if (count_others(state.routes, route.id, [&](const Route& r) { return r.vpc_id == route.vpc_id; }) >=
      quotas.routes_per_vpc)
    return limit("vpc", "routes per VPC", quotas.routes_per_vpc);
  return std::nullopt;
}

}  // namespace vpngw
