// Next hops' MAC addresses (ARP cache). The control thread is the only writer
// (it learns from ARP replies the workers punt to it); workers read without
// locks. Each entry's MAC and "resolved" flag share one 64-bit atomic word, so
// a reader sees either the old or the new MAC, never a mix. Fixed capacity,
// nothing freed: a reader can never follow a dangling pointer.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include <rte_ether.h>

#include "common/net.hpp"

namespace vpngw::dataplane::io {

class NeighbourTable {
 public:
  static constexpr size_t kCapacity = 1024;

  // Control thread only: records (or updates) ip -> mac. False when full.
  bool learn(Ipv4Addr ip, const rte_ether_addr& mac);
  // Control thread only: forgets the MAC (the slot stays reserved for the IP).
  void forget(Ipv4Addr ip);

  // Any thread. ip in network byte order, as in the packet.
  bool lookup_be(uint32_t ip_be, rte_ether_addr* mac) const;
  bool lookup(Ipv4Addr ip, rte_ether_addr* mac) const;

  size_t size() const { return used_; }

 private:
  static constexpr uint64_t kResolved = uint64_t{1} << 48;
  static size_t slot_of(uint32_t host_order);
  size_t find_slot(uint32_t host_order) const;  // kCapacity when absent

  std::array<std::atomic<uint32_t>, kCapacity> ips_{};   // 0 = empty slot
  std::array<std::atomic<uint64_t>, kCapacity> macs_{};  // 48-bit MAC | kResolved
  size_t used_ = 0;
};

}  // namespace vpngw::dataplane::io
