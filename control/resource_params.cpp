#include "control/resource_params.hpp"

#include <algorithm>
#include <initializer_list>

#include "control/params_reader.hpp"

namespace vpngw {

namespace {

// A typo in a parameter name must not be silently ignored.
Status check_known_keys(const Json& obj, std::initializer_list<const char*> known,
                        const std::string& prefix) {
  for (const auto& [key, value] : obj.items()) {
    if (key == "id" && prefix.empty()) continue;  // the reference of modify
    bool ok = std::any_of(known.begin(), known.end(), [&](const char* k) { return key == k; });
    if (!ok) return invalid(prefix + key, "unknown parameter");
  }
  return std::nullopt;
}

Status immutable(const ParamsReader& r, const char* key, Mode mode, const char* hint) {
  if (mode == Mode::modify && r.has(key)) return invalid(r.field(key), std::string("cannot be changed; ") + hint);
  return std::nullopt;
}

Status resolve_ref(const ParamsReader& r, const Json& params, const char* key, ResourceKind kind,
                   const RefResolver& resolve, std::string& out_id) {
  if (!r.has(key)) return std::nullopt;
  if (!params.at(key).is_string()) return invalid(key, "must be an ID or a name");
  auto id = resolve(kind, params.at(key).get<std::string>(), key);
  if (!id) return id.error();
  out_id = *id;
  return std::nullopt;
}

#define VPNGW_TRY(expr)              \
  do {                               \
    if (auto err_ = (expr)) return err_; \
  } while (0)

Status apply_spd(const Json& v, std::vector<SpdRule>& out) {
  if (!v.is_array()) return invalid("spd", "must be an array of {\"local\": CIDR, \"peers\": [CIDR, ...]}");
  std::vector<SpdRule> rules;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string at = "spd[" + std::to_string(i) + "]";
    if (!v[i].is_object()) return invalid(at, "must be an object {\"local\": CIDR, \"peers\": [CIDR, ...]}");
    ParamsReader r(v[i], at + ".");
    VPNGW_TRY(check_known_keys(v[i], {"local", "peers"}, at + "."));
    VPNGW_TRY(r.require("local"));
    VPNGW_TRY(r.require("peers"));
    SpdRule rule;
    VPNGW_TRY(r.get("local", rule.local));
    VPNGW_TRY(r.get("peers", rule.peers));
    rules.push_back(std::move(rule));
  }
  out = std::move(rules);
  return std::nullopt;
}

Status apply_ike(const Json& v, IkePolicy& ike) {
  VPNGW_TRY(check_known_keys(v, {"version", "mode", "encryption", "integrity", "dh_group", "local_id",
                                 "remote_id", "lifetime"}, "ike."));
  ParamsReader r(v, "ike.");
  VPNGW_TRY(r.get_enum("version", kIkeVersionNames, ike.version));
  VPNGW_TRY(r.get_enum("mode", kIkeModeNames, ike.mode));
  VPNGW_TRY(r.get_enum("encryption", kCipherNames, ike.encryption));
  VPNGW_TRY(r.get_enum("integrity", kIntegrityNames, ike.integrity));
  VPNGW_TRY(r.get_dh("dh_group", ike.dh_group, /*allow_disable=*/false));
  VPNGW_TRY(r.get("local_id", ike.local_id.value));
  VPNGW_TRY(r.get("remote_id", ike.remote_id.value));
  VPNGW_TRY(r.get("lifetime", ike.lifetime_s));
  return std::nullopt;
}

Status apply_ipsec(const Json& v, IpsecPolicy& ipsec) {
  VPNGW_TRY(check_known_keys(v, {"encryption", "integrity", "pfs", "lifetime", "lifetime_kb", "esn"},
                             "ipsec."));
  ParamsReader r(v, "ipsec.");
  VPNGW_TRY(r.get_enum("encryption", kCipherNames, ipsec.encryption));
  VPNGW_TRY(r.get_enum("integrity", kIntegrityNames, ipsec.integrity));
  VPNGW_TRY(r.get_dh("pfs", ipsec.pfs, /*allow_disable=*/true));
  VPNGW_TRY(r.get("lifetime", ipsec.lifetime_s));
  VPNGW_TRY(r.get_uint("lifetime_kb", ipsec.lifetime_kb, UINT64_MAX));
  VPNGW_TRY(r.get("esn", ipsec.esn));
  return std::nullopt;
}

Status apply_dpd(const Json& v, DpdSettings& dpd) {
  VPNGW_TRY(check_known_keys(v, {"delay", "timeout", "action"}, "dpd."));
  ParamsReader r(v, "dpd.");
  VPNGW_TRY(r.get("delay", dpd.delay_s));
  VPNGW_TRY(r.get("timeout", dpd.timeout_s));
  VPNGW_TRY(r.get_enum("action", kDpdActionNames, dpd.action));
  return std::nullopt;
}

}  // namespace

Status apply_vpc_params(const Json& p, Vpc& vpc, Mode mode) {
  VPNGW_TRY(check_known_keys(p, {"name", "cidrs"}, ""));
  ParamsReader r(p, "");
  if (mode == Mode::create) {
    VPNGW_TRY(r.require("name"));
    VPNGW_TRY(r.require("cidrs"));
  }
  VPNGW_TRY(r.get("name", vpc.name));
  VPNGW_TRY(r.get("cidrs", vpc.cidrs));
  return std::nullopt;
}

Status apply_gateway_params(const Json& p, VpnGateway& gw, Mode mode, const RefResolver& resolve) {
  VPNGW_TRY(check_known_keys(p, {"name", "vpc", "public_ip", "bandwidth"}, ""));
  ParamsReader r(p, "");
  if (mode == Mode::create) {
    for (const char* key : {"name", "vpc", "public_ip", "bandwidth"}) VPNGW_TRY(r.require(key));
  }
  VPNGW_TRY(immutable(r, "vpc", mode, "create a new VPN gateway in the other VPC"));
  VPNGW_TRY(immutable(r, "public_ip", mode, "the public IP is fixed for the gateway's lifetime"));
  VPNGW_TRY(r.get("name", gw.name));
  VPNGW_TRY(resolve_ref(r, p, "vpc", ResourceKind::vpc, resolve, gw.vpc_id));
  VPNGW_TRY(r.get("public_ip", gw.public_ip));
  VPNGW_TRY(r.get("bandwidth", gw.bandwidth_mbps));
  return std::nullopt;
}

Status apply_customer_gateway_params(const Json& p, CustomerGateway& cgw, Mode mode) {
  VPNGW_TRY(check_known_keys(p, {"name", "public_ip"}, ""));
  ParamsReader r(p, "");
  if (mode == Mode::create) {
    VPNGW_TRY(r.require("name"));
    VPNGW_TRY(r.require("public_ip"));
  }
  VPNGW_TRY(immutable(r, "public_ip", mode, "create a new customer gateway for the new address"));
  VPNGW_TRY(r.get("name", cgw.name));
  VPNGW_TRY(r.get("public_ip", cgw.public_ip));
  return std::nullopt;
}

Status apply_route_params(const Json& p, Route& route, Mode mode, const RefResolver& resolve) {
  VPNGW_TRY(check_known_keys(p, {"vpc", "destination", "gateway"}, ""));
  ParamsReader r(p, "");
  if (mode == Mode::create) {
    for (const char* key : {"vpc", "destination", "gateway"}) VPNGW_TRY(r.require(key));
  }
  VPNGW_TRY(immutable(r, "vpc", mode, "delete the route and create it in the other VPC"));
  VPNGW_TRY(immutable(r, "destination", mode, "delete the route and create a new one"));
  VPNGW_TRY(resolve_ref(r, p, "vpc", ResourceKind::vpc, resolve, route.vpc_id));
  VPNGW_TRY(r.get("destination", route.destination));
  VPNGW_TRY(resolve_ref(r, p, "gateway", ResourceKind::gateway, resolve, route.gateway_id));
  return std::nullopt;
}

Status apply_tunnel_params(const Json& p, Tunnel& t, Mode mode, const RefResolver& resolve,
                           const std::function<bool(const std::string&)>& customer_gateway_is_any) {
  VPNGW_TRY(check_known_keys(p, {"name", "gateway", "customer_gateway", "psk", "spd", "ike", "ipsec", "dpd",
                                 "start_action", "auto_route"}, ""));
  ParamsReader r(p, "");
  if (mode == Mode::create) {
    for (const char* key : {"name", "gateway", "customer_gateway", "psk", "spd"}) VPNGW_TRY(r.require(key));
  }
  VPNGW_TRY(immutable(r, "gateway", mode, "delete the tunnel and create it on the other gateway"));
  VPNGW_TRY(immutable(r, "customer_gateway", mode, "delete the tunnel and create it for the other peer"));
  VPNGW_TRY(r.get("name", t.name));
  VPNGW_TRY(resolve_ref(r, p, "gateway", ResourceKind::gateway, resolve, t.gateway_id));
  VPNGW_TRY(resolve_ref(r, p, "customer_gateway", ResourceKind::customer_gateway, resolve,
                        t.customer_gateway_id));
  if (r.has("psk") && !p.at("psk").is_string()) return invalid("psk", "must be a string");
  VPNGW_TRY(r.get("psk", t.psk));
  if (r.has("spd")) VPNGW_TRY(apply_spd(p.at("spd"), t.spd));
  const Json* nested = nullptr;
  VPNGW_TRY(r.object("ike", &nested));
  if (nested) VPNGW_TRY(apply_ike(*nested, t.ike));
  VPNGW_TRY(r.object("ipsec", &nested));
  if (nested) VPNGW_TRY(apply_ipsec(*nested, t.ipsec));
  VPNGW_TRY(r.object("dpd", &nested));
  if (nested) VPNGW_TRY(apply_dpd(*nested, t.dpd));
  if (mode == Mode::create && !r.has("start_action") && customer_gateway_is_any(t.customer_gateway_id))
    t.start_action = StartAction::respond;
  VPNGW_TRY(r.get_enum("start_action", kStartActionNames, t.start_action));
  VPNGW_TRY(r.get("auto_route", t.auto_route));
  return std::nullopt;
}

}  // namespace vpngw
