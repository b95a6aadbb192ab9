#include "dataplane/io/neighbour_table.hpp"

#include <rte_byteorder.h>

namespace vpngw::dataplane::io {

namespace {

uint64_t pack(const rte_ether_addr& mac) {
  uint64_t v = 0;
  for (int i = 0; i < RTE_ETHER_ADDR_LEN; ++i) v = (v << 8) | mac.addr_bytes[i];
  return v;
}

void unpack(uint64_t v, rte_ether_addr* mac) {
  for (int i = RTE_ETHER_ADDR_LEN - 1; i >= 0; --i) {
    mac->addr_bytes[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

}  // namespace

size_t NeighbourTable::slot_of(uint32_t host_order) {
  return static_cast<size_t>((host_order * 2654435761u) >> 22) % kCapacity;
}

size_t NeighbourTable::find_slot(uint32_t v) const {
  for (size_t i = slot_of(v), n = 0; n < kCapacity; ++n, i = (i + 1) % kCapacity) {
    const uint32_t cur = ips_[i].load(std::memory_order_acquire);
    if (cur == 0) return kCapacity;
    if (cur == v) return i;
  }
  return kCapacity;
}

bool NeighbourTable::learn(Ipv4Addr ip, const rte_ether_addr& mac) {
  const uint32_t v = ip.value;
  if (v == 0) return false;
  size_t slot = find_slot(v);
  if (slot == kCapacity) {
    if (used_ >= kCapacity * 3 / 4) return false;
    for (size_t i = slot_of(v), n = 0; n < kCapacity; ++n, i = (i + 1) % kCapacity) {
      if (ips_[i].load(std::memory_order_relaxed) == 0) {
        slot = i;
        break;
      }
    }
    // MAC first, then the key: a reader that finds the key sees the MAC.
    macs_[slot].store(pack(mac) | kResolved, std::memory_order_release);
    ips_[slot].store(v, std::memory_order_release);
    ++used_;
    return true;
  }
  macs_[slot].store(pack(mac) | kResolved, std::memory_order_release);
  return true;
}

void NeighbourTable::forget(Ipv4Addr ip) {
  const size_t slot = find_slot(ip.value);
  if (slot != kCapacity) macs_[slot].store(0, std::memory_order_release);
}

bool NeighbourTable::lookup(Ipv4Addr ip, rte_ether_addr* mac) const {
  const size_t slot = find_slot(ip.value);
  if (slot == kCapacity) return false;
  const uint64_t word = macs_[slot].load(std::memory_order_acquire);
  if ((word & kResolved) == 0) return false;
  unpack(word, mac);
  return true;
}

bool NeighbourTable::lookup_be(uint32_t ip_be, rte_ether_addr* mac) const {
  return lookup(Ipv4Addr{rte_be_to_cpu_32(ip_be)}, mac);
}

}  // namespace vpngw::dataplane::io
