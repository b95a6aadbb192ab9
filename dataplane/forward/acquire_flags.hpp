// "Traffic wants an SA": start_action=trap tunnels negotiate when the first
// packet matching their SPD finds no SA. Workers raise one flag per outbound
// slot (the tunnel); the control thread collects and clears them and asks
// the IKE engine to negotiate. A flag, not a queue: a burst of packets for
// one tunnel is one acquire, and the packet path never blocks or allocates.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace vpngw::dataplane::forward {

class AcquireFlags {
 public:
  explicit AcquireFlags(uint32_t slots) : slots_(slots), flags_(new std::atomic<uint8_t>[slots]) {
    for (uint32_t i = 0; i < slots; ++i) flags_[i].store(0, std::memory_order_relaxed);
  }

  // Worker: a packet for `slot` found no SA. Reads first so a flood of such
  // packets does not keep writing (and bouncing) the cache line.
  void raise(uint32_t slot) noexcept {
    if (slot < slots_ && flags_[slot].load(std::memory_order_relaxed) == 0)
      flags_[slot].store(1, std::memory_order_relaxed);
  }

  // Control thread: the slots raised since the last call, cleared.
  std::vector<uint32_t> take() {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < slots_; ++i)
      if (flags_[i].load(std::memory_order_relaxed) != 0 && flags_[i].exchange(0, std::memory_order_relaxed) != 0)
        out.push_back(i);
    return out;
  }

 private:
  uint32_t slots_;
  std::unique_ptr<std::atomic<uint8_t>[]> flags_;
};

}  // namespace vpngw::dataplane::forward
