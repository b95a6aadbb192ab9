#include "control/model_json.hpp"

#include <stdexcept>

namespace vpngw {

namespace {

template <typename E, size_t N>
E parse_enum_or_throw(const std::array<EnumName<E>, N>& table, const Json& j, const char* what) {
  auto v = enum_parse(table, j.get<std::string>());
  if (!v) throw std::invalid_argument(std::string("bad ") + what + ": " + j.get<std::string>());
  return *v;
}

constexpr std::array<EnumName<ResourceStatus>, 3> kResourceStatusNames{{
    {ResourceStatus::creating, "creating"}, {ResourceStatus::running, "running"},
    {ResourceStatus::deleting, "deleting"}}};
constexpr std::array<EnumName<ConnectionStatus>, 4> kConnectionStatusNames{{
    {ConnectionStatus::connecting, "connecting"}, {ConnectionStatus::connected, "connected"},
    {ConnectionStatus::phase1_failed, "phase1_failed"},
    {ConnectionStatus::phase2_failed, "phase2_failed"}}};

}  // namespace

std::string_view name_of(ResourceStatus s) { return enum_name(kResourceStatusNames, s); }
std::string_view name_of(ConnectionStatus s) { return enum_name(kConnectionStatusNames, s); }

void to_json(Json& j, const Cidr& c) { j = c.str(); }
void from_json(const Json& j, Cidr& c) {
  auto parsed = Cidr::parse(j.get<std::string>());
  if (!parsed) throw std::invalid_argument("bad CIDR: " + j.get<std::string>());
  c = *parsed;
}
void to_json(Json& j, const Ipv4Addr& a) { j = a.str(); }
void from_json(const Json& j, Ipv4Addr& a) {
  auto parsed = Ipv4Addr::parse(j.get<std::string>());
  if (!parsed) throw std::invalid_argument("bad IPv4 address: " + j.get<std::string>());
  a = *parsed;
}

void to_json(Json& j, const SpdRule& r) { j = Json{{"local", r.local}, {"peers", r.peers}}; }
void from_json(const Json& j, SpdRule& r) {
  j.at("local").get_to(r.local);
  j.at("peers").get_to(r.peers);
}

void to_json(Json& j, const IkePolicy& p) {
  j = Json{{"version", name_of(p.version)},   {"mode", name_of(p.mode)},
           {"encryption", name_of(p.encryption)}, {"integrity", name_of(p.integrity)},
           {"dh_group", name_of(p.dh_group)}, {"local_id", p.local_id.value},
           {"remote_id", p.remote_id.value},  {"lifetime", p.lifetime_s}};
}
void from_json(const Json& j, IkePolicy& p) {
  p.version = parse_enum_or_throw(kIkeVersionNames, j.at("version"), "ike.version");
  p.mode = parse_enum_or_throw(kIkeModeNames, j.at("mode"), "ike.mode");
  p.encryption = parse_enum_or_throw(kCipherNames, j.at("encryption"), "ike.encryption");
  p.integrity = parse_enum_or_throw(kIntegrityNames, j.at("integrity"), "ike.integrity");
  p.dh_group = parse_enum_or_throw(kDhGroupNames, j.at("dh_group"), "ike.dh_group");
  p.local_id.value = j.at("local_id").get<std::string>();
  p.remote_id.value = j.at("remote_id").get<std::string>();
  p.lifetime_s = j.at("lifetime").get<uint32_t>();
}

void to_json(Json& j, const IpsecPolicy& p) {
  j = Json{{"encryption", name_of(p.encryption)}, {"integrity", name_of(p.integrity)},
           {"pfs", name_of(p.pfs)},               {"lifetime", p.lifetime_s},
           {"lifetime_kb", p.lifetime_kb},        {"esn", p.esn}};
}
void from_json(const Json& j, IpsecPolicy& p) {
  p.encryption = parse_enum_or_throw(kCipherNames, j.at("encryption"), "ipsec.encryption");
  p.integrity = parse_enum_or_throw(kIntegrityNames, j.at("integrity"), "ipsec.integrity");
  p.pfs = parse_enum_or_throw(kDhGroupNames, j.at("pfs"), "ipsec.pfs");
  p.lifetime_s = j.at("lifetime").get<uint32_t>();
  p.lifetime_kb = j.at("lifetime_kb").get<uint64_t>();
  p.esn = j.at("esn").get<bool>();
}

void to_json(Json& j, const DpdSettings& d) {
  j = Json{{"delay", d.delay_s}, {"timeout", d.timeout_s}, {"action", name_of(d.action)}};
}
void from_json(const Json& j, DpdSettings& d) {
  d.delay_s = j.at("delay").get<uint32_t>();
  d.timeout_s = j.at("timeout").get<uint32_t>();
  d.action = parse_enum_or_throw(kDpdActionNames, j.at("action"), "dpd.action");
}

void to_json(Json& j, const Vpc& v) {
  j = Json{{"id", v.id}, {"name", v.name}, {"cidrs", v.cidrs},
           {"route_table_id", v.route_table_id}, {"created_at", v.created_at}};
}
void from_json(const Json& j, Vpc& v) {
  j.at("id").get_to(v.id);
  j.at("name").get_to(v.name);
  j.at("cidrs").get_to(v.cidrs);
  j.at("route_table_id").get_to(v.route_table_id);
  j.at("created_at").get_to(v.created_at);
}

void to_json(Json& j, const VpnGateway& g) {
  j = Json{{"id", g.id},
           {"name", g.name},
           {"vpc_id", g.vpc_id},
           {"public_ip", g.public_ip},
           {"bandwidth", g.bandwidth_mbps},
           {"status", name_of(g.status)},
           {"created_at", g.created_at}};
}
void from_json(const Json& j, VpnGateway& g) {
  j.at("id").get_to(g.id);
  j.at("name").get_to(g.name);
  j.at("vpc_id").get_to(g.vpc_id);
  j.at("public_ip").get_to(g.public_ip);
  j.at("bandwidth").get_to(g.bandwidth_mbps);
  g.status = parse_enum_or_throw(kResourceStatusNames, j.at("status"), "status");
  j.at("created_at").get_to(g.created_at);
}

void to_json(Json& j, const CustomerGateway& c) {
  j = Json{{"id", c.id}, {"name", c.name}, {"public_ip", c.public_ip},
           {"created_at", c.created_at}};
}
void from_json(const Json& j, CustomerGateway& c) {
  j.at("id").get_to(c.id);
  j.at("name").get_to(c.name);
  j.at("public_ip").get_to(c.public_ip);
  j.at("created_at").get_to(c.created_at);
}

void to_json(Json& j, const Tunnel& t) {
  j = Json{{"id", t.id},
           {"name", t.name},
           {"gateway_id", t.gateway_id},
           {"customer_gateway_id", t.customer_gateway_id},
           {"spd", t.spd},
           {"ike", t.ike},
           {"ipsec", t.ipsec},
           {"dpd", t.dpd},
           {"start_action", name_of(t.start_action)},
           {"auto_route", t.auto_route},
           {"status", name_of(t.status)},
           {"connection_status", name_of(t.connection)},
           {"connection_reason", t.connection_reason},
           {"created_at", t.created_at}};
}
void from_json(const Json& j, Tunnel& t) {
  j.at("id").get_to(t.id);
  j.at("name").get_to(t.name);
  j.at("gateway_id").get_to(t.gateway_id);
  j.at("customer_gateway_id").get_to(t.customer_gateway_id);
  j.at("spd").get_to(t.spd);
  j.at("ike").get_to(t.ike);
  j.at("ipsec").get_to(t.ipsec);
  j.at("dpd").get_to(t.dpd);
  t.start_action = parse_enum_or_throw(kStartActionNames, j.at("start_action"), "start_action");
  j.at("auto_route").get_to(t.auto_route);
  t.status = parse_enum_or_throw(kResourceStatusNames, j.at("status"), "status");
  t.connection = parse_enum_or_throw(kConnectionStatusNames, j.at("connection_status"),
                                     "connection_status");
  j.at("connection_reason").get_to(t.connection_reason);
  j.at("created_at").get_to(t.created_at);
}

void to_json(Json& j, const Route& r) {
  j = Json{{"id", r.id},
           {"vpc_id", r.vpc_id},
           {"destination", r.destination},
           {"gateway_id", r.gateway_id},
           {"tunnel_id", r.tunnel_id},
           {"origin", r.is_automatic() ? "automatic" : "static"},
           {"created_at", r.created_at}};
}
void from_json(const Json& j, Route& r) {
  j.at("id").get_to(r.id);
  j.at("vpc_id").get_to(r.vpc_id);
  j.at("destination").get_to(r.destination);
  j.at("gateway_id").get_to(r.gateway_id);
  j.at("tunnel_id").get_to(r.tunnel_id);
  j.at("created_at").get_to(r.created_at);
}

void to_json(Json& j, const StaticSa& sa) {
  j = Json{{"id", sa.id},
           {"tunnel_id", sa.tunnel_id},
           {"direction", sa.inbound ? "in" : "out"},
           {"spi", sa.spi},
           {"encryption", name_of(sa.encryption)},
           {"integrity", sa.integrity ? name_of(*sa.integrity) : "none"},
           {"udp_encap", sa.udp_encap},
           {"replay_window", sa.replay_window},
           {"created_at", sa.created_at}};
}
void from_json(const Json& j, StaticSa& sa) {
  j.at("id").get_to(sa.id);
  j.at("tunnel_id").get_to(sa.tunnel_id);
  sa.inbound = j.at("direction").get<std::string>() == "in";
  j.at("spi").get_to(sa.spi);
  sa.encryption = parse_enum_or_throw(kCipherNames, j.at("encryption"), "encryption");
  const auto integ = j.at("integrity").get<std::string>();
  sa.integrity = integ == "none" ? std::nullopt
                                 : std::optional(parse_enum_or_throw(kIntegrityNames, j.at("integrity"), "integrity"));
  j.at("udp_encap").get_to(sa.udp_encap);
  // Rows written before the field existed had the dataplane's default.
  sa.replay_window = j.value("replay_window", uint32_t{1024});
  j.at("created_at").get_to(sa.created_at);
}

}  // namespace vpngw
