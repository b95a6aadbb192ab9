// A worker's cache of inbound SA lookups: (SPI, outer destination) -> the
// SA reference the inbound table holds. The rte_hash lookup, its CRC and its
// key compare were ~7 % of the 64-byte decrypt pipeline (docs/performance.md);
// a hit is a multiply, a 16-byte load and two compares.
//
// Two-way set associative, 2 048 sets (64 KiB), per worker, no locks. Only
// SAs found are cached (an unknown SPI goes to the table every time, and is
// a drop anyway). The cache holds SA pointers, so it must never outlive
// them: SaTables::inbound_generation() moves on every install, replacement
// and removal before the old SA's grace period starts, and each burst
// clears the cache when it sees a new generation (sa_tables.hpp says why
// that ordering is enough).
#pragma once

#include <array>
#include <cstdint>

#include "dataplane/sa_runtime.hpp"
#include "dataplane/tables/sa_ref.hpp"

namespace vpngw::dataplane::forward {

class InboundSaCache {
 public:
  static constexpr uint32_t kSetBits = 11;
  static constexpr uint32_t kSets = 1u << kSetBits;

  InboundSaCache() noexcept { clear(); }

  // Clears the cache unless its entries are from this generation.
  void use_generation(uint64_t generation) noexcept {
    if (generation == generation_) [[likely]] return;
    clear();
    generation_ = generation;
  }

  // SPI and destination in network byte order, as in the packet.
  SaRef<InboundSa> find(uint32_t spi_be, uint32_t dst_be) const noexcept {
    const Set& set = sets_[set_of(spi_be, dst_be)];
    for (const Entry& e : set.ways)
      if (e.spi_be == spi_be && e.dst_be == dst_be) return SaRef<InboundSa>::from_bits(e.ref_bits);
    return {};
  }

  // For a key find() did not know: the newest entry of its set.
  void insert(uint32_t spi_be, uint32_t dst_be, SaRef<InboundSa> ref) noexcept {
    Set& set = sets_[set_of(spi_be, dst_be)];
    set.ways[1] = set.ways[0];
    set.ways[0] = {spi_be, dst_be, ref.bits()};
  }

 private:
  struct Entry {
    uint32_t spi_be;
    uint32_t dst_be;
    uintptr_t ref_bits;  // 0 in an empty entry: find() returns "not found"
  };
  struct alignas(32) Set {
    std::array<Entry, 2> ways;
  };

  static uint32_t set_of(uint32_t spi_be, uint32_t dst_be) noexcept {
    // Fibonacci hashing: the product's top bits depend on every input bit.
    const uint64_t key = (uint64_t{spi_be} << 32) | dst_be;
    return static_cast<uint32_t>((key * 0x9E3779B97F4A7C15u) >> (64 - kSetBits));
  }

  void clear() noexcept {
    for (Set& set : sets_) set.ways.fill({0, 0, 0});
  }

  uint64_t generation_ = 0;  // SaTables' generations start at 1
  std::array<Set, kSets> sets_;
};

}  // namespace vpngw::dataplane::forward
