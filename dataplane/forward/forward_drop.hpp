// Why the forwarding stages drop a packet before or after the ESP core
// (whose own reasons are DropReason, dataplane/drop_reason.hpp). One table
// names every reason so counters, the CLI and the docs use the same words.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vpngw::dataplane::forward {

enum class ForwardDrop : uint8_t {
  not_ipv4,       // Ethernet payload is not IPv4, or its header is not sane
  not_esp,        // public-port packet that is neither ESP nor ESP-in-UDP 4500
  no_route,       // outbound: no VPC route for the inner destination
  no_policy,      // outbound: no SPD rule of the gateway matches the packet
  no_sa,          // no SA installed for the SPD rule or the SPI
  over_cap,       // outbound: over the gateway's bandwidth cap
  no_next_hop,    // the egress port has no next hop for the destination
  handoff_full,   // the owning worker's handoff ring was full
  no_headroom,    // no room to put the Ethernet header back
};

inline constexpr size_t kForwardDropCount = static_cast<size_t>(ForwardDrop::no_headroom) + 1;

struct ForwardDropInfo {
  ForwardDrop reason;
  std::string_view name;
  std::string_view description;
};

inline constexpr std::array<ForwardDropInfo, kForwardDropCount> kForwardDrops{{
    {ForwardDrop::not_ipv4, "not_ipv4", "not an IPv4 packet with a sane header"},
    {ForwardDrop::not_esp, "not_esp", "public-port packet that is not ESP"},
    {ForwardDrop::no_route, "no_route", "no VPC route for the destination"},
    {ForwardDrop::no_policy, "no_policy", "no SPD rule of the gateway matches"},
    {ForwardDrop::no_sa, "no_sa", "no SA installed for the policy or SPI"},
    {ForwardDrop::over_cap, "over_cap", "over the gateway's bandwidth cap"},
    {ForwardDrop::no_next_hop, "no_next_hop", "egress port has no next hop"},
    {ForwardDrop::handoff_full, "handoff_full", "owning worker's handoff ring full"},
    {ForwardDrop::no_headroom, "no_headroom", "no room for the Ethernet header"},
}};

constexpr size_t index_of(ForwardDrop r) { return static_cast<size_t>(r); }
constexpr std::string_view name_of(ForwardDrop r) { return kForwardDrops[index_of(r)].name; }

// The table is indexed by the enum: every entry must sit at its own index.
constexpr bool forward_drop_table_is_indexed() {
  for (size_t i = 0; i < kForwardDrops.size(); ++i)
    if (index_of(kForwardDrops[i].reason) != i) return false;
  return true;
}
static_assert(forward_drop_table_is_indexed(), "kForwardDrops must list reasons in enum order");

}  // namespace vpngw::dataplane::forward
