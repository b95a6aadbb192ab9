// The VPN gateways' public IPs, answered for (ARP, ICMP, IKE) on the public
// port. The control thread adds and removes; workers test membership without
// locks. A fixed open-addressing table of atomic slots: nothing is ever freed,
// so a reader can never touch released memory, and removal leaves a tombstone
// so probing chains stay intact.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/net.hpp"

namespace vpngw::dataplane::io {

class AddressSet {
 public:
  static constexpr size_t kCapacity = 4096;  // slots; at most kCapacity/2 addresses

  // Control thread only. add() returns false when the set is full.
  bool add(Ipv4Addr addr);
  bool remove(Ipv4Addr addr);
  size_t size() const { return size_; }

  // Any thread, lock-free. The address is in network byte order, as it sits in
  // the packet.
  bool contains_be(uint32_t addr_be) const;
  bool contains(Ipv4Addr addr) const;

 private:
  static constexpr uint32_t kEmpty = 0;          // 0.0.0.0 is never a gateway IP
  static constexpr uint32_t kTombstone = 0xffffffff;  // nor is 255.255.255.255
  static size_t slot_of(uint32_t host_order);

  std::array<std::atomic<uint32_t>, kCapacity> slots_{};  // host byte order
  size_t size_ = 0;
  size_t used_ = 0;  // live + tombstones, bounds probe length
};

}  // namespace vpngw::dataplane::io
