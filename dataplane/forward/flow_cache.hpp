// A worker's cache of outbound lookups: (inner source, inner destination)
// -> (gateway from the VPC route table, action from the SPD). Packets of
// one flow arrive in runs, and an rte_acl classify costs ~40 cycles per
// packet even with one rule (docs/performance.md), several times a hit
// here. Two-way set associative (a set is half a cache line; a new flow
// pushes the set's older entry out), no locks: each worker has its own.
//
// Results are cached together with the ids of the tables they came from
// (table_id.hpp); a burst that finds either table replaced clears the whole
// cache first, so a hit always equals a lookup in the tables the burst
// uses. Only the tables' results are cached, never SAs: the SA is read from
// its slot for every packet, so rekeys and SA changes need no invalidation.
#pragma once

#include <array>
#include <cstdint>

namespace vpngw::dataplane::forward {

class OutboundFlowCache {
 public:
  static constexpr uint32_t kSets = 2048;  // a power of 2; 2 x 16 B each: 64 KiB
  static_assert((kSets & (kSets - 1)) == 0);

  OutboundFlowCache() noexcept { clear(); }

  // Clears the cache unless its entries came from these tables (ids; 0
  // for "no table").
  void use_tables(uint64_t routes_id, uint64_t spd_id) noexcept {
    if (routes_id == routes_id_ && spd_id == spd_id_) [[likely]] return;
    clear();
    routes_id_ = routes_id;
    spd_id_ = spd_id;
  }

  // Addresses in network byte order, as in the packet.
  bool find(uint32_t src_be, uint32_t dst_be, uint32_t& gateway, uint32_t& action) const noexcept {
    const Set& set = sets_[set_of(src_be, dst_be)];
    for (const Entry& e : set.ways) {
      if (e.src_be == src_be && e.dst_be == dst_be && e.gateway != kEmpty) {
        gateway = e.gateway;
        action = e.action;
        return true;
      }
    }
    return false;
  }

  // For a flow find() did not know: the newest entry of its set.
  void insert(uint32_t src_be, uint32_t dst_be, uint32_t gateway, uint32_t action) noexcept {
    Set& set = sets_[set_of(src_be, dst_be)];
    set.ways[1] = set.ways[0];
    set.ways[0] = {src_be, dst_be, gateway, action};
  }

 private:
  // Never a gateway index (those stop well below; "no gateway" is
  // UINT32_MAX and is cached like any other result).
  static constexpr uint32_t kEmpty = UINT32_MAX - 1;

  struct Entry {
    uint32_t src_be;
    uint32_t dst_be;
    uint32_t gateway;
    uint32_t action;
  };

  struct alignas(32) Set {
    std::array<Entry, 2> ways;
  };

  static constexpr uint32_t kSetBits = 11;
  static_assert(kSets == 1u << kSetBits);

  static uint32_t set_of(uint32_t src_be, uint32_t dst_be) noexcept {
    // Fibonacci hashing of both addresses: the product's top bits depend
    // on every input bit (its low bits only on the inputs' low bits).
    const uint64_t key = (uint64_t{src_be} << 32) | dst_be;
    return static_cast<uint32_t>((key * 0x9E3779B97F4A7C15u) >> (64 - kSetBits));
  }

  void clear() noexcept {
    for (Set& set : sets_) set.ways.fill({0, 0, kEmpty, 0});
  }

  uint64_t routes_id_ = 0;
  uint64_t spd_id_ = 0;
  std::array<Set, kSets> sets_;
};

}  // namespace vpngw::dataplane::forward
