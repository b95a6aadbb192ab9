#include "control/api_dispatch.hpp"

#include "control/peer_config/peer_config.hpp"

namespace vpngw {

namespace {

Result<std::string> ref_param(const Json& params, const char* key = "id") {
  if (!params.contains(key) || params.at(key).is_null())
    return ApiError{ErrorCode::MissingParameter, key, "is required"};
  if (!params.at(key).is_string()) return invalid(key, "must be an ID or a name");
  return params.at(key).get<std::string>();
}

// Params of modify minus the reference itself.
Json without_id(const Json& params) {
  Json copy = params;
  copy.erase("id");
  return copy;
}

template <typename T>
Result<Json> as_json(Result<T> r) {
  if (!r) return r.error();
  return Json(*r);
}

Result<Json> deleted(Result<std::string> r) {
  if (!r) return r.error();
  return Json{{"id", *r}, {"deleted", true}};
}

template <typename T, typename Pred>
Json list_of(const std::vector<T>& items, Pred keep) {
  Json out = Json::array();
  for (const auto& item : items)
    if (keep(item)) out.push_back(Json(item));
  return Json{{"items", out}};
}

// An optional filter reference ("vpc" on gateway.list) resolved to an ID.
template <typename Find>
Result<std::string> optional_filter(const Json& params, const char* key, Find find) {
  if (!params.contains(key) || params.at(key).is_null()) return std::string();
  auto ref = ref_param(params, key);
  if (!ref) return ref.error();
  auto found = find(*ref, key);
  if (!found) return found.error();
  return found->id;
}

}  // namespace

Json error_json(const ApiError& error) {
  return Json{{"code", error_code_name(error.code)}, {"field", error.field}, {"message", error.message}};
}

Json tunnel_view(const Tunnel& tunnel) {
  Json j = tunnel;
  j["psk"] = kMaskedPsk;
  return j;
}

ApiDispatcher::ApiDispatcher(ResourceService& service, std::function<Json()> info)
    : service_(service), info_(std::move(info)) {}

std::string ApiDispatcher::handle(std::string_view line) {
  Json request = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) {
    Json out{{"version", kApiVersion},
             {"error", error_json({ErrorCode::MalformedRequest, "", "request is not valid JSON"})}};
    return out.dump();
  }
  return handle_json(request).dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json ApiDispatcher::handle_json(const Json& request) {
  Json out{{"version", kApiVersion}};
  auto fail = [&](ApiError e) {
    out["error"] = error_json(e);
    return out;
  };
  if (!request.is_object()) return fail({ErrorCode::MalformedRequest, "", "request must be a JSON object"});
  if (request.contains("request_id")) out["request_id"] = request.at("request_id");
  if (!request.contains("version"))
    return fail({ErrorCode::MissingParameter, "version", "is required (use 1)"});
  if (!request.at("version").is_number_integer() || request.at("version").get<int64_t>() != kApiVersion)
    return fail({ErrorCode::UnsupportedOperation, "version", "only API version 1 is supported"});
  if (!request.contains("op") || !request.at("op").is_string())
    return fail({ErrorCode::MalformedRequest, "op", "a string op such as \"vpc.list\" is required"});
  Json params = request.value("params", Json::object());
  if (params.is_null()) params = Json::object();
  if (!params.is_object()) return fail({ErrorCode::MalformedRequest, "params", "must be a JSON object"});

  Result<Json> result = ApiError{};
  try {
    result = dispatch(request.at("op").get<std::string>(), params);
  } catch (const std::exception& e) {
    // A bug, not bad input: report it without taking the daemon down.
    result = ApiError{ErrorCode::InternalError, "", std::string("internal error: ") + e.what()};
  }
  if (!result) return fail(result.error());
  out["result"] = std::move(*result);
  return out;
}

Result<Json> ApiDispatcher::dispatch(const std::string& op, const Json& p) {
  ResourceService& s = service_;
  const auto& st = s.state();
  auto id = [&]() { return ref_param(p); };

  if (op == "daemon.info") return info_();
  if (op == "neighbour.list") {
    if (!neighbours_) return Json{{"running", false}, {"items", Json::array()}};
    return neighbours_();
  }

  if (op == "vpc.create") return as_json(s.create_vpc(p));
  if (op == "vpc.list") return list_of(st.vpcs, [](const Vpc&) { return true; });
  if (op == "vpc.show") {
    auto ref = id();
    if (!ref) return ref.error();
    return as_json(s.find_vpc(*ref));
  }
  if (op == "vpc.modify") {
    auto ref = id();
    if (!ref) return ref.error();
    return as_json(s.modify_vpc(*ref, without_id(p)));
  }
  if (op == "vpc.delete") {
    auto ref = id();
    if (!ref) return ref.error();
    return deleted(s.delete_vpc(*ref));
  }

  if (op == "gateway.create") return as_json(s.create_gateway(p));
  if (op == "gateway.list") {
    auto vpc = optional_filter(p, "vpc", [&](auto& r, auto f) { return s.find_vpc(r, f); });
    if (!vpc) return vpc.error();
    return list_of(st.gateways, [&](const VpnGateway& g) { return vpc->empty() || g.vpc_id == *vpc; });
  }
  if (op == "gateway.show") {
    auto ref = id();
    if (!ref) return ref.error();
    auto g = as_json(s.find_gateway(*ref));
    if (g && tunnel_counters_) (*g)["counters"] = gateway_counters((*g)["id"].get<std::string>());
    return g;
  }
  if (op == "gateway.modify") {
    auto ref = id();
    if (!ref) return ref.error();
    return as_json(s.modify_gateway(*ref, without_id(p)));
  }
  if (op == "gateway.delete") {
    auto ref = id();
    if (!ref) return ref.error();
    return deleted(s.delete_gateway(*ref));
  }

  if (op == "customer_gateway.create") return as_json(s.create_customer_gateway(p));
  if (op == "customer_gateway.list") return list_of(st.customer_gateways, [](const auto&) { return true; });
  if (op == "customer_gateway.show") {
    auto ref = id();
    if (!ref) return ref.error();
    return as_json(s.find_customer_gateway(*ref));
  }
  if (op == "customer_gateway.modify") {
    auto ref = id();
    if (!ref) return ref.error();
    return as_json(s.modify_customer_gateway(*ref, without_id(p)));
  }
  if (op == "customer_gateway.delete") {
    auto ref = id();
    if (!ref) return ref.error();
    return deleted(s.delete_customer_gateway(*ref));
  }

  if (op == "tunnel.create" || op == "tunnel.modify" || op == "tunnel.show") {
    Result<Tunnel> t = ApiError{};
    if (op == "tunnel.create") {
      t = s.create_tunnel(p);
    } else {
      auto ref = id();
      if (!ref) return ref.error();
      t = op == "tunnel.show" ? s.find_tunnel(*ref) : s.modify_tunnel(*ref, without_id(p));
    }
    if (!t) return t.error();
    return tunnel_view(*t);
  }
  if (op == "tunnel.list") {
    auto gw = optional_filter(p, "gateway", [&](auto& r, auto f) { return s.find_gateway(r, f); });
    if (!gw) return gw.error();
    Json items = Json::array();
    for (const auto& t : st.tunnels)
      if (gw->empty() || t.gateway_id == *gw) items.push_back(tunnel_view(t));
    return Json{{"items", items}};
  }
  if (op == "tunnel.delete") {
    auto ref = id();
    if (!ref) return ref.error();
    return deleted(s.delete_tunnel(*ref));
  }
  if (op == "tunnel.config") return tunnel_config(p);
  if (op == "tunnel.status") return tunnel_status(p);
  if (op == "tunnel.logs") return tunnel_logs(p);

  if (op == "route.create") return as_json(s.create_route(p));
  if (op == "route.list") {
    auto vpc = optional_filter(p, "vpc", [&](auto& r, auto f) { return s.find_vpc(r, f); });
    if (!vpc) return vpc.error();
    return list_of(st.routes, [&](const Route& r) { return vpc->empty() || r.vpc_id == *vpc; });
  }
  if (op == "route.show") {
    auto ref = id();
    if (!ref) return ref.error();
    return as_json(s.find_route(*ref));
  }
  if (op == "route.modify") {
    auto ref = id();
    if (!ref) return ref.error();
    return as_json(s.modify_route(*ref, without_id(p)));
  }
  if (op == "route.delete") {
    auto ref = id();
    if (!ref) return ref.error();
    return deleted(s.delete_route(*ref));
  }

  if (op == "sa.create") return as_json(s.create_static_sa(p));
  if (op == "sa.list") {
    auto tunnel = optional_filter(p, "tunnel", [&](auto& r, auto f) { return s.find_tunnel(r, f); });
    if (!tunnel) return tunnel.error();
    return list_of(st.static_sas, [&](const StaticSa& sa) { return tunnel->empty() || sa.tunnel_id == *tunnel; });
  }
  if (op == "sa.show") {
    auto ref = id();
    if (!ref) return ref.error();
    return as_json(s.find_static_sa(*ref));
  }
  if (op == "sa.delete") {
    auto ref = id();
    if (!ref) return ref.error();
    return deleted(s.delete_static_sa(*ref));
  }

  return ApiError{ErrorCode::UnsupportedOperation, "op", "unknown op '" + op + "'"};
}

Result<Json> ApiDispatcher::tunnel_config(const Json& p) {
  auto ref = ref_param(p);
  if (!ref) return ref.error();
  auto vendor = ref_param(p, "vendor");
  if (!vendor) return vendor.error();
  auto t = service_.find_tunnel(*ref);
  if (!t) return t.error();
  auto gw = service_.find_gateway(t->gateway_id);
  auto cgw = service_.find_customer_gateway(t->customer_gateway_id);
  if (!gw || !cgw) return ApiError{ErrorCode::InternalError, "id", "tunnel references a missing gateway"};
  auto rendered = render_peer_config(PeerConfigInput{*t, *gw, *cgw}, *vendor);
  if (!rendered) return rendered.error();
  return Json{{"vendor", rendered->vendor}, {"filename", rendered->filename}, {"config", rendered->text}};
}

Result<Json> ApiDispatcher::tunnel_status(const Json& p) {
  auto ref = ref_param(p);
  if (!ref) return ref.error();
  auto t = service_.find_tunnel(*ref);
  if (!t) return t.error();
  // The IKE SA comes from the IKE engine; SAs and counters from the
  // dataplane when one runs.
  Json out{{"id", t->id},
           {"name", t->name},
           {"status", name_of(t->status)},
           {"connection_status", name_of(t->connection)},
           {"connection_reason", t->connection_reason},
           {"ike_sa", nullptr},
           {"child_sas", Json::array()}};
  if (tunnel_ike_) {
    Json ike = tunnel_ike_(t->id);
    if (ike.is_object()) out["ike_sa"] = ike;  // with the negotiated CHILD_SAs inside
  }
  if (tunnel_counters_) {
    Json live = tunnel_counters_(t->id);
    out["child_sas"] = live["sas"];  // what the dataplane holds, with counters
    out["counters"] = {{"in", live["in"]}, {"out", live["out"]}, {"drops", live["drops"]}};
  }
  return out;
}

// A gateway's traffic: the sum over its tunnels' SAs (the cap's over-cap
// drops are counted per worker, in daemon.info).
Json ApiDispatcher::gateway_counters(const std::string& gateway_id) {
  uint64_t sums[2][2] = {};
  Json drops = Json::object();
  size_t tunnels = 0;
  for (const auto& t : service_.state().tunnels) {
    if (t.gateway_id != gateway_id) continue;
    ++tunnels;
    Json live = tunnel_counters_(t.id);
    const char* dirs[2] = {"in", "out"};
    for (int d = 0; d < 2; ++d) {
      sums[d][0] += live[dirs[d]].value("packets", uint64_t{0});
      sums[d][1] += live[dirs[d]].value("bytes", uint64_t{0});
    }
    for (const auto& [why, n] : live["drops"].items()) drops[why] = drops.value(why, uint64_t{0}) + n.get<uint64_t>();
  }
  return Json{{"tunnels", tunnels},
              {"in", {{"packets", sums[0][0]}, {"bytes", sums[0][1]}}},
              {"out", {{"packets", sums[1][0]}, {"bytes", sums[1][1]}}},
              {"drops", drops}};
}

Result<Json> ApiDispatcher::tunnel_logs(const Json& p) {
  auto ref = ref_param(p);
  if (!ref) return ref.error();
  auto t = service_.find_tunnel(*ref);
  if (!t) return t.error();
  size_t limit = 0;
  if (p.contains("limit")) {
    const Json& l = p["limit"];
    if (!l.is_number_integer() || l.get<int64_t>() < 0 || l.get<int64_t>() > 100000)
      return ApiError{ErrorCode::InvalidParameterValue, "limit", "must be an integer 0-100000 (0: every line kept)"};
    limit = l.get<size_t>();
  }
  Json lines = tunnel_logs_ ? tunnel_logs_(t->id, limit) : Json::array();
  return Json{{"id", t->id}, {"lines", lines}};
}

}  // namespace vpngw
