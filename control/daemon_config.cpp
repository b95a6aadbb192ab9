#include "control/daemon_config.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace vpngw {

namespace {

ApiError config_error(const std::string& key, const std::string& rule) {
  return {ErrorCode::InvalidParameterValue, key, rule};
}

Status read_uint(const toml::table& t, const char* key, const std::string& path, uint32_t& out,
                 uint32_t min, uint32_t max) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  auto v = n->value<int64_t>();
  if (!v || *v < min || *v > max)
    return config_error(path + key, "must be an integer " + std::to_string(min) + "-" + std::to_string(max));
  out = static_cast<uint32_t>(*v);
  return std::nullopt;
}

Status read_string(const toml::table& t, const char* key, const std::string& path, std::string& out) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  auto v = n->value<std::string>();
  if (!v) return config_error(path + key, "must be a string");
  out = *v;
  return std::nullopt;
}

// "02:00:5e:00:00:01" -> bytes; only a unicast, non-zero MAC.
std::optional<std::array<uint8_t, 6>> parse_unicast_mac(const std::string& text) {
  std::array<uint8_t, 6> mac{};
  unsigned b[6];
  char tail;
  if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6 ||
      text.size() != 17)
    return std::nullopt;
  bool zero = true;
  for (int i = 0; i < 6; ++i) {
    mac[i] = static_cast<uint8_t>(b[i]);
    zero &= mac[i] == 0;
  }
  if (zero || (mac[0] & 1) != 0) return std::nullopt;
  return mac;
}

// static_neighbours = { "198.18.1.10" = "02:00:00:00:00:0a", ... }
Status read_static_neighbours(const toml::table& t, const std::string& path, PortConfig& port) {
  const toml::node* n = t.get("static_neighbours");
  if (!n) return std::nullopt;
  const std::string key = path + "static_neighbours";
  const toml::table* entries = n->as_table();
  if (!entries) return config_error(key, "must be a table of \"IPv4 address\" = \"MAC\"");
  if (entries->size() > kMaxStaticNeighbours)
    return config_error(key, "at most " + std::to_string(kMaxStaticNeighbours) + " entries per port");
  for (const auto& [name, value] : *entries) {
    const std::string ip_text(name.str());
    auto ip = Ipv4Addr::parse(ip_text);
    if (!ip) return config_error(key, "'" + ip_text + "' is not an IPv4 address");
    const bool is_next_hop = port.next_hop && *port.next_hop == *ip;
    if (!is_next_hop && (!port.address || !port.address->contains(*ip) || *ip == *port.host))
      return config_error(key, ip_text + " is neither on the port's subnet nor its next_hop");
    auto mac_text = value.value<std::string>();
    auto mac = mac_text ? parse_unicast_mac(*mac_text) : std::nullopt;
    if (!mac) return config_error(key, ip_text + ": the MAC must be a unicast address like \"02:00:00:00:00:0a\"");
    port.static_neighbours.push_back({*ip, *mac});
  }
  return std::nullopt;
}

Status read_port(const toml::table& root, const char* role, PortConfig& port) {
  const toml::table* t = root["ports"][role].as_table();
  if (!t) return std::nullopt;
  const std::string path = std::string("ports.") + role + ".";
  uint32_t id = port.port;
  if (auto err = read_uint(*t, "port", path, id, 0, 1023)) return err;
  port.port = static_cast<uint16_t>(id);
  std::string text;
  if (auto err = read_string(*t, "address", path, text)) return err;
  if (!text.empty()) {
    auto c = Cidr::parse_any(text, nullptr);
    if (!c) return config_error(path + "address", "must be an address with prefix, e.g. 198.51.100.1/24");
    port.host = c->addr;
    port.address = Cidr{c->first(), c->len};
  }
  text.clear();
  if (auto err = read_string(*t, "next_hop", path, text)) return err;
  if (!text.empty()) {
    auto a = Ipv4Addr::parse(text);
    if (!a) return config_error(path + "next_hop", "must be an IPv4 address");
    port.next_hop = *a;
  }
  if (auto err = read_uint(*t, "mtu", path, port.mtu, 576, 9000)) return err;
  return read_static_neighbours(*t, path, port);
}

}  // namespace

Result<DaemonConfig> parse_daemon_config(const std::string& toml_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "line " << e.source().begin.line << ": " << e.description();
    return config_error("", where.str());
  }
  DaemonConfig cfg;
  if (const toml::table* d = root["daemon"].as_table()) {
    if (auto err = read_string(*d, "state_dir", "daemon.", cfg.state_dir)) return *err;
    if (auto err = read_string(*d, "log_level", "daemon.", cfg.log_level)) return *err;
  }
  if (const toml::table* a = root["api"].as_table()) {
    if (auto err = read_string(*a, "socket", "api.", cfg.socket_path)) return *err;
    if (auto err = read_string(*a, "group", "api.", cfg.api_group)) return *err;
    if (auto err = read_uint(*a, "client_timeout_ms", "api.", cfg.client_timeout_ms, 100, 3600000)) return *err;
    if (auto err = read_uint(*a, "max_clients", "api.", cfg.max_clients, 1, 65536)) return *err;
  }
  if (auto err = read_port(root, "public", cfg.public_port)) return *err;
  if (auto err = read_port(root, "private", cfg.private_port)) return *err;
  if (cfg.public_port.port == cfg.private_port.port)
    return config_error("ports.private.port", "must differ from ports.public.port");
  // Neighbours are known by address alone: one address cannot be on both links.
  if (cfg.public_port.address && cfg.private_port.address &&
      cfg.public_port.address->overlaps(*cfg.private_port.address))
    return config_error("ports.private.address", "must not overlap ports.public.address");
  if (const toml::table* w = root["workers"].as_table()) {
    if (const toml::node* n = w->get("busy_poll")) {
      auto v = n->value_exact<bool>();
      if (!v) return config_error("workers.busy_poll", "must be true or false");
      cfg.busy_poll = *v;
    }
    if (const toml::node* n = w->get("lcores")) {
      const toml::array* arr = n->as_array();
      if (!arr) return config_error("workers.lcores", "must be an array of lcore ids");
      for (const auto& el : *arr) {
        auto v = el.value<int64_t>();
        if (!v || *v < 0 || *v >= 1024) return config_error("workers.lcores", "lcore ids are 0-1023");
        cfg.worker_lcores.push_back(static_cast<uint32_t>(*v));
      }
    }
  }
  if (const toml::table* e = root["eal"].as_table()) {
    if (const toml::node* n = e->get("args")) {
      const toml::array* arr = n->as_array();
      if (!arr) return config_error("eal.args", "must be an array of strings");
      for (const auto& el : *arr) {
        auto v = el.value<std::string>();
        if (!v) return config_error("eal.args", "must be an array of strings");
        cfg.eal_args.push_back(*v);
      }
    }
  }
  if (const toml::table* q = root["quotas"].as_table()) {
    struct Key {
      const char* name;
      uint32_t* field;
    };
    Quotas& qu = cfg.quotas;
    const Key keys[] = {{"vpcs", &qu.vpcs},
                        {"cidrs_per_vpc", &qu.cidrs_per_vpc},
                        {"gateways_per_vpc", &qu.gateways_per_vpc},
                        {"customer_gateways", &qu.customer_gateways},
                        {"tunnels_per_customer_gateway", &qu.tunnels_per_customer_gateway},
                        {"tunnels_per_gateway", &qu.tunnels_per_gateway},
                        {"spd_rules_per_tunnel", &qu.spd_rules_per_tunnel},
                        {"peer_cidrs_per_rule", &qu.peer_cidrs_per_rule},
                        {"routes_per_vpc", &qu.routes_per_vpc}};
    for (const auto& [key, value] : *q) {
      bool known = false;
      for (const auto& k : keys) {
        if (key.str() != k.name) continue;
        known = true;
        if (auto err = read_uint(*q, k.name, "quotas.", *k.field, 1, 1000000)) return *err;
      }
      if (!known) return config_error("quotas." + std::string(key.str()), "unknown quota");
    }
  }
  if (auto err = parse_bench_knobs(toml_text, cfg.bench)) return *err;
  return cfg;
}

Result<DaemonConfig> load_daemon_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return config_error("--config", "cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_daemon_config(buf.str());
}

}  // namespace vpngw
