// "This next hop has no MAC": workers raise a request for an address they
// could not send to, the control thread collects them and sends ARP. As the
// trap flags (forward/acquire_flags.hpp), a set of atomic slots rather than
// a queue: the packet path never blocks or allocates, and a burst of packets
// for one destination is one request. Slots are hashed by address; two
// addresses that collide overwrite each other, and the loser is raised
// again by its next packet or by the worker's periodic look at the packets
// it holds (see UnresolvedQueue).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include <rte_byteorder.h>

#include "common/net.hpp"

namespace vpngw::dataplane::io {

class ResolveRequests {
 public:
  static constexpr size_t kSlots = 256;

  // Worker: `ip_be` (network byte order) on port `port_index` needs a MAC.
  // Reads first so a flood of packets for one address does not keep
  // writing (and bouncing) the cache line.
  void raise(uint16_t port_index, uint32_t ip_be) noexcept {
    const uint32_t ip = rte_be_to_cpu_32(ip_be);
    const uint64_t key = (uint64_t{port_index} + 1) << 32 | ip;
    std::atomic<uint64_t>& slot = slots_[(ip * 2654435761u) >> 24 & (kSlots - 1)];
    if (slot.load(std::memory_order_relaxed) != key) slot.store(key, std::memory_order_relaxed);
  }

  // Control thread: the (port index, address) pairs raised since the last
  // call, cleared.
  std::vector<std::pair<uint16_t, Ipv4Addr>> take() {
    std::vector<std::pair<uint16_t, Ipv4Addr>> out;
    for (auto& slot : slots_) {
      if (slot.load(std::memory_order_relaxed) == 0) continue;
      const uint64_t key = slot.exchange(0, std::memory_order_relaxed);
      if (key != 0)
        out.emplace_back(static_cast<uint16_t>((key >> 32) - 1), Ipv4Addr{static_cast<uint32_t>(key)});
    }
    return out;
  }

 private:
  static_assert((kSlots & (kSlots - 1)) == 0, "kSlots must be a power of two");
  std::array<std::atomic<uint64_t>, kSlots> slots_{};
};

}  // namespace vpngw::dataplane::io
