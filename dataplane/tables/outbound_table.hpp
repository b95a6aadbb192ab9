// Outbound SAs by slot: the SPD lookup yields a tunnel's SA slot index, and
// the slot holds an atomic SaRef. Workers load it (acquire); the control
// thread swaps it (release) once the new SA is fully built, so a replace is
// make-before-break: every packet sees either the old or the new SA.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/sa_runtime.hpp"
#include "dataplane/tables/sa_ref.hpp"

namespace vpngw::dataplane {

class OutboundTable {
 public:
  explicit OutboundTable(uint32_t slots) : slots_(slots) {}

  uint32_t slots() const noexcept { return static_cast<uint32_t>(slots_.size()); }

  // --- workers ---
  // `slot` < slots(); an empty SaRef when the slot holds no SA.
  SaRef<OutboundSa> get(uint32_t slot) const noexcept {
    return SaRef<OutboundSa>::from_bits(slots_[slot].load(std::memory_order_acquire));
  }

  // --- control thread only ---
  // Publishes `ref` and returns what the slot held before.
  SaRef<OutboundSa> exchange(uint32_t slot, SaRef<OutboundSa> ref) noexcept {
    return SaRef<OutboundSa>::from_bits(
        slots_[slot].exchange(ref.bits(), std::memory_order_acq_rel));
  }

 private:
  std::vector<std::atomic<uintptr_t>> slots_;
};

}  // namespace vpngw::dataplane
