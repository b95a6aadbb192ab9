// What the control thread hands the lookup tables when it (re)builds them:
// plain values derived from the model's routes and tunnels, so dataplane/
// does not depend on control/.
#pragma once

#include <cstdint>

#include "common/net.hpp"

namespace vpngw::dataplane {

// Result of a route lookup that matched no route.
inline constexpr uint32_t kNoGateway = UINT32_MAX;
// rte_lpm keeps 24 bits of next hop, so gateway indexes stay below 2^24.
inline constexpr uint32_t kMaxGatewayIndex = (uint32_t{1} << 24) - 1;

// Result of an SPD lookup that matched no rule.
inline constexpr uint32_t kNoAction = UINT32_MAX;

// One VPC route: traffic to `destination` leaves through the VPN gateway
// with dense index `gateway_index`.
struct RouteSpec {
  Cidr destination;
  uint32_t gateway_index = 0;
};

// One outbound SPD rule of a gateway: inner packets from `local` to `peer`
// go to `action` (a tunnel or SA-slot index, below kNoAction). Rules are
// ordered: when several match a packet, the one listed first wins, as in
// the ordered SPD of RFC 4301 section 4.4.1.
struct SpdRuleSpec {
  uint32_t gateway_index = 0;
  Cidr local;
  Cidr peer;
  uint32_t action = 0;
};

}  // namespace vpngw::dataplane
