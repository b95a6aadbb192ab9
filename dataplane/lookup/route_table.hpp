// VPC routes on rte_lpm: destination IPv4 address -> VPN gateway index,
// longest prefix wins. Built whole by the control thread and never modified
// afterwards, so any number of workers may look it up concurrently; an
// update builds a new table and swaps it in (see published_table.hpp).
//
// Memory: rte_lpm's DIR-24-8 layout costs 64 MiB of tbl24 per table, plus
// 1 KiB per tbl8 group (one per distinct /24 holding longer prefixes); a
// swap briefly holds two tables.
#pragma once

#include <rte_lpm.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dataplane/lookup/lookup_specs.hpp"
#include "dataplane/lookup/table_id.hpp"

namespace vpngw::dataplane {

class RouteTable {
 public:
  // Builds the table, or returns nullptr and says why in `error`: a gateway
  // index above kMaxGatewayIndex, the same destination twice, or DPDK out of
  // memory. Control thread only.
  static std::unique_ptr<RouteTable> build(std::span<const RouteSpec> routes,
                                           std::string* error);
  ~RouteTable();
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

  // Packet path: gateway_out[i] = gateway of dst_host[i] (host byte order),
  // or kNoGateway. Returns how many matched a route.
  uint16_t lookup_burst(const uint32_t* dst_host, uint32_t* gateway_out, uint16_t n) const;
  // One address; for the control path and tests.
  uint32_t lookup(Ipv4Addr dst) const;

  size_t route_count() const { return route_count_; }

  // Unique per built table (see table_id.hpp): caches of its results are
  // tagged with it.
  uint64_t id() const noexcept { return id_; }

 private:
  RouteTable(rte_lpm* lpm, uint32_t default_gateway, size_t route_count)
      : lpm_(lpm), default_gateway_(default_gateway), route_count_(route_count) {}

  rte_lpm* lpm_;
  // rte_lpm takes depths 1..32 only, so a 0.0.0.0/0 route is kept here and
  // applied to every miss (kNoGateway when there is none).
  uint32_t default_gateway_;
  size_t route_count_;
  uint64_t id_ = next_table_id();
};

}  // namespace vpngw::dataplane
