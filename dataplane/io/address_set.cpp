#include "dataplane/io/address_set.hpp"

#include <rte_byteorder.h>

namespace vpngw::dataplane::io {

size_t AddressSet::slot_of(uint32_t host_order) {
  // Fibonacci hashing: gateway IPs are often consecutive.
  return static_cast<size_t>((host_order * 2654435761u) >> 20) % kCapacity;
}

bool AddressSet::add(Ipv4Addr addr) {
  const uint32_t v = addr.value;
  if (v == kEmpty || v == kTombstone) return false;
  if (contains(addr)) return true;
  if (used_ >= kCapacity / 2) return false;
  for (size_t i = slot_of(v), n = 0; n < kCapacity; ++n, i = (i + 1) % kCapacity) {
    const uint32_t cur = slots_[i].load(std::memory_order_relaxed);
    if (cur == kEmpty || cur == kTombstone) {
      if (cur == kEmpty) ++used_;
      slots_[i].store(v, std::memory_order_release);
      ++size_;
      return true;
    }
  }
  return false;
}

bool AddressSet::remove(Ipv4Addr addr) {
  const uint32_t v = addr.value;
  for (size_t i = slot_of(v), n = 0; n < kCapacity; ++n, i = (i + 1) % kCapacity) {
    const uint32_t cur = slots_[i].load(std::memory_order_relaxed);
    if (cur == kEmpty) return false;
    if (cur == v) {
      slots_[i].store(kTombstone, std::memory_order_release);
      --size_;
      return true;
    }
  }
  return false;
}

bool AddressSet::contains(Ipv4Addr addr) const {
  const uint32_t v = addr.value;
  if (v == kEmpty || v == kTombstone) return false;
  for (size_t i = slot_of(v), n = 0; n < kCapacity; ++n, i = (i + 1) % kCapacity) {
    const uint32_t cur = slots_[i].load(std::memory_order_acquire);
    if (cur == kEmpty) return false;
    if (cur == v) return true;
  }
  return false;
}

bool AddressSet::contains_be(uint32_t addr_be) const {
  return contains(Ipv4Addr{rte_be_to_cpu_32(addr_be)});
}

}  // namespace vpngw::dataplane::io
