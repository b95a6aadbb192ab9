// Resource quotas. Defaults are seed 001's service limits; the daemon's
// config file ([quotas]) overrides them.
#pragma once

#include <cstdint>

namespace vpngw {

struct Quotas {
  uint32_t vpcs = 100;
  uint32_t cidrs_per_vpc = 5;
  uint32_t gateways_per_vpc = 10;
  uint32_t customer_gateways = 20;
  uint32_t tunnels_per_customer_gateway = 10;
  uint32_t tunnels_per_gateway = 20;
  uint32_t spd_rules_per_tunnel = 10;
  uint32_t peer_cidrs_per_rule = 50;
  uint32_t routes_per_vpc = 200;
};

}  // namespace vpngw
