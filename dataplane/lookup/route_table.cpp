#include "dataplane/lookup/route_table.hpp"

#include <rte_errno.h>

#include <algorithm>
#include <set>
#include <utility>

#include "dataplane/lookup/dpdk_name.hpp"

namespace vpngw::dataplane {

namespace {

// rte_lpm needs a tbl8 group for each /24 that holds a longer prefix; one
// per route is the worst case, with a floor so tiny tables need no care.
uint32_t tbl8_groups_for(std::span<const RouteSpec> routes) {
  uint32_t longer_than_24 = 0;
  for (const RouteSpec& r : routes) {
    if (r.destination.len > 24) ++longer_than_24;
  }
  return std::max<uint32_t>(longer_than_24, 64);
}

}  // namespace

std::unique_ptr<RouteTable> RouteTable::build(std::span<const RouteSpec> routes,
                                              std::string* error) {
  std::set<std::pair<uint32_t, uint8_t>> seen;
  for (const RouteSpec& r : routes) {
    if (r.gateway_index > kMaxGatewayIndex) {
      *error = "route " + r.destination.str() + ": gateway index " +
               std::to_string(r.gateway_index) + " exceeds " + std::to_string(kMaxGatewayIndex);
      return nullptr;
    }
    if (!seen.insert({r.destination.first().value, r.destination.len}).second) {
      *error = "route " + r.destination.str() + " listed twice";
      return nullptr;
    }
  }

  rte_lpm_config config{};
  config.max_rules = std::max<uint32_t>(static_cast<uint32_t>(routes.size()), 1);
  config.number_tbl8s = tbl8_groups_for(routes);
  const std::string name = unique_dpdk_name("vpngw-lpm");
  rte_lpm* lpm = rte_lpm_create(name.c_str(), SOCKET_ID_ANY, &config);
  if (lpm == nullptr) {
    *error = std::string("rte_lpm_create: ") + rte_strerror(rte_errno);
    return nullptr;
  }
  uint32_t default_gateway = kNoGateway;
  for (const RouteSpec& r : routes) {
    if (r.destination.len == 0) default_gateway = r.gateway_index;
  }
  std::unique_ptr<RouteTable> table(new RouteTable(lpm, default_gateway, routes.size()));
  for (const RouteSpec& r : routes) {
    if (r.destination.len == 0) continue;
    const int rc = rte_lpm_add(lpm, r.destination.first().value, r.destination.len,
                               r.gateway_index);
    if (rc != 0) {
      *error = "route " + r.destination.str() + ": rte_lpm_add: " + rte_strerror(-rc);
      return nullptr;
    }
  }
  return table;
}

RouteTable::~RouteTable() { rte_lpm_free(lpm_); }

uint16_t RouteTable::lookup_burst(const uint32_t* dst_host, uint32_t* gateway_out,
                                  uint16_t n) const {
  // rte_lpm_lookup_bulk writes the next hop with a "valid" flag on top;
  // strip it so callers see plain indexes.
  rte_lpm_lookup_bulk(lpm_, dst_host, gateway_out, n);
  uint16_t found = 0;
  for (uint16_t i = 0; i < n; ++i) {
    if (gateway_out[i] & RTE_LPM_LOOKUP_SUCCESS) [[likely]] {
      gateway_out[i] &= kMaxGatewayIndex;
      ++found;
    } else {
      gateway_out[i] = default_gateway_;
    }
  }
  return default_gateway_ == kNoGateway ? found : n;
}

uint32_t RouteTable::lookup(Ipv4Addr dst) const {
  uint32_t gateway = 0;
  lookup_burst(&dst.value, &gateway, 1);
  return gateway;
}

}  // namespace vpngw::dataplane
