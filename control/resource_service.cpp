#include "control/resource_service.hpp"

#include <sodium.h>

#include <algorithm>

#include "control/field_rules.hpp"
#include "control/resource_rules.hpp"
#include "control/static_sa.hpp"

namespace vpngw {

namespace {

template <typename T>
const T* by_id(const std::vector<T>& list, const std::string& id) {
  auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.id == id; });
  return it == list.end() ? nullptr : &*it;
}

// Names only exist for kinds that have them; routes are found by ID alone.
template <typename T>
const T* by_ref(const std::vector<T>& list, const std::string& ref) {
  if (const T* hit = by_id(list, ref)) return hit;
  if constexpr (requires(const T& t) { t.name; }) {
    auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.name == ref; });
    if (it != list.end()) return &*it;
  }
  return nullptr;
}

const char* kind_label(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::vpc: return "VPC";
    case ResourceKind::gateway: return "VPN gateway";
    case ResourceKind::customer_gateway: return "customer gateway";
    case ResourceKind::tunnel: return "VPN tunnel";
    case ResourceKind::route: return "route";
    case ResourceKind::static_sa: return "static SA";
  }
  return "resource";
}

template <typename T>
Result<T> find_in(const std::vector<T>& list, ResourceKind kind, const std::string& ref,
                  const std::string& field) {
  if (const T* hit = by_ref(list, ref)) return *hit;
  return ApiError{ErrorCode::ResourceNotFound, field,
                  std::string("no ") + kind_label(kind) + " with ID or name '" + ref + "'"};
}

ApiError in_use(const std::string& what, const std::string& dependants) {
  return {ErrorCode::ResourceInUse, "id", what + " still has " + dependants + "; delete them first"};
}

}  // namespace

std::string random_resource_id(std::string_view prefix) {
  uint32_t r = randombytes_random();
  char hex[9];
  snprintf(hex, sizeof(hex), "%08x", r);
  return std::string(prefix) + "-" + hex;
}

ResourceService::ResourceService(Deps deps)
    : store_(deps.store),
      quotas_(deps.quotas),
      now_unix_(std::move(deps.now_unix)),
      new_id_(std::move(deps.new_id)) {}

Status ResourceService::load() {
  auto snapshot = store_.load();
  if (!snapshot) return snapshot.error();
  state_ = std::move(*snapshot);
  return std::nullopt;
}

std::string ResourceService::fresh_id(std::string_view prefix) const {
  for (;;) {
    std::string id = new_id_(prefix);
    bool taken = by_id(state_.vpcs, id) || by_id(state_.gateways, id) ||
                 by_id(state_.customer_gateways, id) || by_id(state_.tunnels, id) ||
                 by_id(state_.routes, id) || by_id(state_.static_sas, id) ||
                 std::any_of(state_.vpcs.begin(), state_.vpcs.end(),
                             [&](const Vpc& v) { return v.route_table_id == id; });
    if (!taken) return id;
  }
}

Result<std::string> ResourceService::resolve(ResourceKind kind, const std::string& ref,
                                             const std::string& field) const {
  switch (kind) {
    case ResourceKind::vpc: {
      auto r = find_vpc(ref, field);
      if (!r) return r.error();
      return r->id;
    }
    case ResourceKind::gateway: {
      auto r = find_gateway(ref, field);
      if (!r) return r.error();
      return r->id;
    }
    case ResourceKind::customer_gateway: {
      auto r = find_customer_gateway(ref, field);
      if (!r) return r.error();
      return r->id;
    }
    case ResourceKind::tunnel: {
      auto r = find_tunnel(ref, field);
      if (!r) return r.error();
      return r->id;
    }
    case ResourceKind::route: {
      auto r = find_route(ref, field);
      if (!r) return r.error();
      return r->id;
    }
    case ResourceKind::static_sa: {
      auto r = find_static_sa(ref, field);
      if (!r) return r.error();
      return r->id;
    }
  }
  return ApiError{ErrorCode::InternalError, field, "unknown resource kind"};
}

RefResolver ResourceService::resolver() const {
  return [this](ResourceKind k, const std::string& ref, const std::string& field) {
    return resolve(k, ref, field);
  };
}

Status ResourceService::commit(const ChangeSet& changes) {
  if (changes.empty()) return std::nullopt;
  if (auto err = store_.commit(changes)) return err;
  apply_change_set(state_, changes);
  if (observer_) observer_->on_committed(changes);
  return std::nullopt;
}

// ---- VPC ----

Result<Vpc> ResourceService::find_vpc(const std::string& ref, const std::string& field) const {
  return find_in(state_.vpcs, ResourceKind::vpc, ref, field);
}

Result<Vpc> ResourceService::create_vpc(const Json& params) {
  Vpc vpc;
  if (auto err = apply_vpc_params(params, vpc, Mode::create)) return *err;
  vpc.id = fresh_id("vpc");
  vpc.route_table_id = fresh_id("rtb");
  vpc.created_at = now_unix_();
  if (auto err = check_vpc(vpc, state_, quotas_)) return *err;
  if (auto err = commit({.puts = {vpc}})) return *err;
  return vpc;
}

Result<Vpc> ResourceService::modify_vpc(const std::string& ref, const Json& params) {
  auto found = find_vpc(ref);
  if (!found) return found.error();
  Vpc vpc = *found;
  if (auto err = apply_vpc_params(params, vpc, Mode::modify)) return *err;
  if (auto err = check_vpc(vpc, state_, quotas_)) return *err;
  // New CIDRs must keep every SPD rule and route of the VPC valid.
  for (const auto& t : state_.tunnels) {
    const VpnGateway* gw = by_id(state_.gateways, t.gateway_id);
    if (!gw || gw->vpc_id != vpc.id) continue;
    if (auto err = check_spd(t, vpc.cidrs, state_, quotas_))
      return invalid("cidrs", "tunnel " + t.id + " would break: " + err->field + ": " + err->message);
  }
  for (const auto& r : state_.routes)
    if (r.vpc_id == vpc.id)
      for (const auto& c : vpc.cidrs)
        if (r.destination.overlaps(c))
          return invalid("cidrs", c.str() + " overlaps the destination of route " + r.id);
  if (auto err = commit({.puts = {vpc}})) return *err;
  return vpc;
}

Result<std::string> ResourceService::delete_vpc(const std::string& ref) {
  auto found = find_vpc(ref);
  if (!found) return found.error();
  for (const auto& g : state_.gateways)
    if (g.vpc_id == found->id) return in_use(found->id, "VPN gateways (" + g.id + ")");
  for (const auto& r : state_.routes)
    if (r.vpc_id == found->id) return in_use(found->id, "routes (" + r.id + ")");
  if (auto err = commit({.deletes = {{ResourceKind::vpc, found->id}}})) return *err;
  return found->id;
}

// ---- VPN gateway ----

Result<VpnGateway> ResourceService::find_gateway(const std::string& ref, const std::string& field) const {
  return find_in(state_.gateways, ResourceKind::gateway, ref, field);
}

Result<VpnGateway> ResourceService::create_gateway(const Json& params) {
  VpnGateway gw;
  gw.bandwidth_mbps = 0;  // required: no silent default tier
  if (auto err = apply_gateway_params(params, gw, Mode::create, resolver())) return *err;
  gw.id = fresh_id("vpngw");
  gw.created_at = now_unix_();
  // Programming the dataplane is synchronous on the control thread, so the
  // gateway is running once the commit is acknowledged.
  gw.status = ResourceStatus::running;
  if (auto err = check_gateway(gw, state_, quotas_)) return *err;
  if (auto err = commit({.puts = {gw}})) return *err;
  return gw;
}

Result<VpnGateway> ResourceService::modify_gateway(const std::string& ref, const Json& params) {
  auto found = find_gateway(ref);
  if (!found) return found.error();
  VpnGateway gw = *found;
  if (auto err = apply_gateway_params(params, gw, Mode::modify, resolver())) return *err;
  if (auto err = check_gateway(gw, state_, quotas_)) return *err;
  if (auto err = commit({.puts = {gw}})) return *err;
  return gw;
}

Result<std::string> ResourceService::delete_gateway(const std::string& ref) {
  auto found = find_gateway(ref);
  if (!found) return found.error();
  for (const auto& t : state_.tunnels)
    if (t.gateway_id == found->id) return in_use(found->id, "VPN tunnels (" + t.id + ")");
  for (const auto& r : state_.routes)
    if (r.gateway_id == found->id) return in_use(found->id, "routes pointing at it (" + r.id + ")");
  if (auto err = commit({.deletes = {{ResourceKind::gateway, found->id}}})) return *err;
  return found->id;
}

// ---- customer gateway ----

Result<CustomerGateway> ResourceService::find_customer_gateway(const std::string& ref,
                                                               const std::string& field) const {
  return find_in(state_.customer_gateways, ResourceKind::customer_gateway, ref, field);
}

Result<CustomerGateway> ResourceService::create_customer_gateway(const Json& params) {
  CustomerGateway cgw;
  if (auto err = apply_customer_gateway_params(params, cgw, Mode::create)) return *err;
  cgw.id = fresh_id("cgw");
  cgw.created_at = now_unix_();
  if (auto err = check_customer_gateway(cgw, state_, quotas_)) return *err;
  if (auto err = commit({.puts = {cgw}})) return *err;
  return cgw;
}

Result<CustomerGateway> ResourceService::modify_customer_gateway(const std::string& ref,
                                                                 const Json& params) {
  auto found = find_customer_gateway(ref);
  if (!found) return found.error();
  CustomerGateway cgw = *found;
  if (auto err = apply_customer_gateway_params(params, cgw, Mode::modify)) return *err;
  if (auto err = check_customer_gateway(cgw, state_, quotas_)) return *err;
  if (auto err = commit({.puts = {cgw}})) return *err;
  return cgw;
}

Result<std::string> ResourceService::delete_customer_gateway(const std::string& ref) {
  auto found = find_customer_gateway(ref);
  if (!found) return found.error();
  for (const auto& t : state_.tunnels)
    if (t.customer_gateway_id == found->id) return in_use(found->id, "VPN tunnels (" + t.id + ")");
  if (auto err = commit({.deletes = {{ResourceKind::customer_gateway, found->id}}})) return *err;
  return found->id;
}

// ---- tunnel ----

Result<Tunnel> ResourceService::find_tunnel(const std::string& ref, const std::string& field) const {
  return find_in(state_.tunnels, ResourceKind::tunnel, ref, field);
}

void ResourceService::sync_auto_routes(const Tunnel& tunnel, bool tunnel_deleted, ChangeSet& changes) const {
  std::vector<Cidr> wanted;
  if (!tunnel_deleted && tunnel.auto_route && tunnel.connection == ConnectionStatus::connected)
    for (const auto& rule : tunnel.spd)
      for (const auto& peer : rule.peers) wanted.push_back(peer);
  const VpnGateway* gw = by_id(state_.gateways, tunnel.gateway_id);
  if (!gw) return;
  for (const auto& r : state_.routes) {
    if (r.tunnel_id != tunnel.id) continue;
    if (std::find(wanted.begin(), wanted.end(), r.destination) == wanted.end())
      changes.deletes.push_back({ResourceKind::route, r.id});
  }
  for (const auto& dest : wanted) {
    // A route the operator made for the same destination wins over ours.
    bool exists = std::any_of(state_.routes.begin(), state_.routes.end(), [&](const Route& r) {
      return r.vpc_id == gw->vpc_id && r.destination == dest;
    });
    if (exists) continue;
    Route route;
    route.id = fresh_id("rt");
    route.vpc_id = gw->vpc_id;
    route.destination = dest;
    route.gateway_id = gw->id;
    route.tunnel_id = tunnel.id;
    route.created_at = now_unix_();
    changes.puts.push_back(route);
  }
}

Result<Tunnel> ResourceService::create_tunnel(const Json& params) {
  Tunnel t;
  auto is_any = [this](const std::string& cgw_id) {
    const CustomerGateway* c = by_id(state_.customer_gateways, cgw_id);
    return c && c->public_ip.is_unspecified();
  };
  if (auto err = apply_tunnel_params(params, t, Mode::create, resolver(), is_any)) return *err;
  t.id = fresh_id("vpnx");
  t.created_at = now_unix_();
  t.status = ResourceStatus::running;
  t.connection = ConnectionStatus::connecting;
  if (auto err = check_tunnel(t, state_, quotas_)) return *err;
  if (auto err = commit({.puts = {t}})) return *err;
  return t;
}

Result<Tunnel> ResourceService::modify_tunnel(const std::string& ref, const Json& params) {
  auto found = find_tunnel(ref);
  if (!found) return found.error();
  Tunnel t = *found;
  auto never = [](const std::string&) { return false; };
  if (auto err = apply_tunnel_params(params, t, Mode::modify, resolver(), never)) return *err;
  if (auto err = check_tunnel(t, state_, quotas_)) return *err;
  ChangeSet changes{.puts = {t}};
  sync_auto_routes(t, false, changes);
  if (auto err = commit(changes)) return *err;
  return t;
}

Result<std::string> ResourceService::delete_tunnel(const std::string& ref) {
  auto found = find_tunnel(ref);
  if (!found) return found.error();
  ChangeSet changes{.deletes = {{ResourceKind::tunnel, found->id}}};
  sync_auto_routes(*found, true, changes);
  // Manually keyed SAs belong to their tunnel and go with it.
  for (const auto& sa : state_.static_sas)
    if (sa.tunnel_id == found->id) changes.deletes.push_back({ResourceKind::static_sa, sa.id});
  if (auto err = commit(changes)) return *err;
  return found->id;
}

Status ResourceService::set_connection_status(const std::string& tunnel_id, ConnectionStatus status,
                                              const std::string& reason) {
  const Tunnel* current = by_id(state_.tunnels, tunnel_id);
  if (!current) return ApiError{ErrorCode::ResourceNotFound, "id", "no VPN tunnel " + tunnel_id};
  Tunnel t = *current;
  t.connection = status;
  t.connection_reason = status == ConnectionStatus::connected ? "" : reason;
  ChangeSet changes{.puts = {t}};
  sync_auto_routes(t, false, changes);
  return commit(changes);
}

// ---- route ----

Result<Route> ResourceService::find_route(const std::string& ref, const std::string& field) const {
  return find_in(state_.routes, ResourceKind::route, ref, field);
}

Result<Route> ResourceService::create_route(const Json& params) {
  Route route;
  if (auto err = apply_route_params(params, route, Mode::create, resolver())) return *err;
  route.id = fresh_id("rt");
  route.created_at = now_unix_();
  if (auto err = check_route(route, state_, quotas_)) return *err;
  if (auto err = commit({.puts = {route}})) return *err;
  return route;
}

Result<Route> ResourceService::modify_route(const std::string& ref, const Json& params) {
  auto found = find_route(ref);
  if (!found) return found.error();
  if (found->is_automatic())
    return ApiError{ErrorCode::UnsupportedOperation, "id",
                    found->id + " is an automatic route of tunnel " + found->tunnel_id +
                        "; change the tunnel's auto_route instead"};
  Route route = *found;
  if (auto err = apply_route_params(params, route, Mode::modify, resolver())) return *err;
  if (auto err = check_route(route, state_, quotas_)) return *err;
  if (auto err = commit({.puts = {route}})) return *err;
  return route;
}

Result<std::string> ResourceService::delete_route(const std::string& ref) {
  auto found = find_route(ref);
  if (!found) return found.error();
  if (found->is_automatic())
    return ApiError{ErrorCode::UnsupportedOperation, "id",
                    found->id + " is an automatic route of tunnel " + found->tunnel_id +
                        "; it goes when the tunnel disconnects or auto_route is turned off"};
  if (auto err = commit({.deletes = {{ResourceKind::route, found->id}}})) return *err;
  return found->id;
}

// ---- static SAs ----

Result<StaticSa> ResourceService::find_static_sa(const std::string& ref, const std::string& field) const {
  return find_in(state_.static_sas, ResourceKind::static_sa, ref, field);
}

Result<StaticSa> ResourceService::create_static_sa(const Json& params) {
  StaticSa sa;
  if (auto err = apply_static_sa_params(params, sa, resolver())) return *err;
  sa.id = fresh_id("sa");
  sa.created_at = now_unix_();
  if (auto err = check_static_sa(sa, state_)) return *err;
  if (auto err = commit({.puts = {sa}})) return *err;
  return sa;
}

Result<std::string> ResourceService::delete_static_sa(const std::string& ref) {
  auto found = find_static_sa(ref);
  if (!found) return found.error();
  if (auto err = commit({.deletes = {{ResourceKind::static_sa, found->id}}})) return *err;
  return found->id;
}

}  // namespace vpngw
