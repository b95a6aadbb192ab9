#include "control/store/resource_rows.hpp"

#include <exception>
#include <type_traits>

#include "control/model_json.hpp"
#include "control/store/store_error.hpp"

namespace vpngw {

namespace {

constexpr const char* kSealedPsk = "psk_sealed";
constexpr const char* kSealedEncKey = "enc_key_sealed";
constexpr const char* kSealedAuthKey = "auth_key_sealed";

std::string key_of(const Route& r) { return r.destination.str(); }
std::string key_of(const StaticSa& sa) { return sa.tunnel_id; }
template <typename T>
std::string key_of(const T& r) {
  return r.name;
}

// Parses one resource; the id check catches a body pasted into the wrong row.
template <typename T>
T parse_body(const Json& body, const std::string& id) {
  T value = body.get<T>();
  if (value.id != id) throw std::invalid_argument("its body has the id '" + value.id + "'");
  return value;
}

}  // namespace

const TableInfo& table_of(ResourceKind kind) {
  for (const auto& info : kTables)
    if (info.kind == kind) return info;
  // Unreachable while kTables lists every enumerator.
  std::terminate();
}

ResourceKind kind_of(const AnyResource& resource) {
  return std::visit(
      [](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Vpc>) return ResourceKind::vpc;
        if constexpr (std::is_same_v<T, VpnGateway>) return ResourceKind::gateway;
        if constexpr (std::is_same_v<T, CustomerGateway>) return ResourceKind::customer_gateway;
        if constexpr (std::is_same_v<T, Tunnel>) return ResourceKind::tunnel;
        if constexpr (std::is_same_v<T, Route>) return ResourceKind::route;
        if constexpr (std::is_same_v<T, StaticSa>) return ResourceKind::static_sa;
      },
      resource);
}

Row encode_row(const AnyResource& resource, const SealingKey& key) {
  return std::visit(
      [&](const auto& r) {
        Json body = r;
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, Tunnel>)
          body[kSealedPsk] = key.seal(r.psk);
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, StaticSa>) {
          body[kSealedEncKey] = key.seal(r.enc_key);
          body[kSealedAuthKey] = key.seal(r.auth_key);
        }
        return Row{r.id, key_of(r), body.dump()};
      },
      resource);
}

Status decode_row(ResourceKind kind, const std::string& id, const std::string& body,
                  const SealingKey& key, ResourceSnapshot& out) {
  const std::string what =
      "row '" + id + "' of table " + std::string(table_of(kind).table) + " cannot be loaded";
  try {
    const Json j = Json::parse(body);
    switch (kind) {
      case ResourceKind::vpc: out.vpcs.push_back(parse_body<Vpc>(j, id)); break;
      case ResourceKind::gateway: out.gateways.push_back(parse_body<VpnGateway>(j, id)); break;
      case ResourceKind::customer_gateway:
        out.customer_gateways.push_back(parse_body<CustomerGateway>(j, id));
        break;
      case ResourceKind::tunnel: {
        Tunnel tunnel = parse_body<Tunnel>(j, id);
        auto psk = key.open(j.at(kSealedPsk).get<std::string>());
        if (!psk) return store_error(what, psk.error());
        tunnel.psk = std::move(*psk);
        out.tunnels.push_back(std::move(tunnel));
        break;
      }
      case ResourceKind::route: out.routes.push_back(parse_body<Route>(j, id)); break;
      case ResourceKind::static_sa: {
        StaticSa sa = parse_body<StaticSa>(j, id);
        auto enc = key.open(j.at(kSealedEncKey).get<std::string>());
        if (!enc) return store_error(what, enc.error());
        auto auth = key.open(j.at(kSealedAuthKey).get<std::string>());
        if (!auth) return store_error(what, auth.error());
        sa.enc_key = std::move(*enc);
        sa.auth_key = std::move(*auth);
        out.static_sas.push_back(std::move(sa));
        break;
      }
    }
  } catch (const std::exception& e) {
    return store_error(what + ": " + e.what());
  }
  return std::nullopt;
}

}  // namespace vpngw
