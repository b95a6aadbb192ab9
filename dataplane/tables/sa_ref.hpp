// An SA pointer and the worker that owns the SA, packed into one word.
//
// Each SA has exactly one owning worker: only it draws the outbound sequence
// numbers and advances the inbound replay window (STYLE.md 10.5). The tables
// store this word, so a lookup yields "what" and "who" with a single load.
// SA runtime objects are 64-byte aligned, which leaves the low 6 bits of the
// pointer free for the owner, hence at most kMaxWorkers workers.
#pragma once

#include <cstdint>

namespace vpngw::dataplane {

inline constexpr uint32_t kMaxWorkers = 64;

template <class Sa>
class SaRef {
 public:
  static_assert(alignof(Sa) >= kMaxWorkers, "the owner lives in the pointer's alignment bits");
  static constexpr uintptr_t kOwnerMask = kMaxWorkers - 1;

  constexpr SaRef() noexcept = default;
  // `owner` must be below kMaxWorkers (the tables check before packing).
  SaRef(Sa* sa, uint16_t owner) noexcept
      : bits_(reinterpret_cast<uintptr_t>(sa) | (owner & kOwnerMask)) {}
  static SaRef from_bits(uintptr_t bits) noexcept {
    SaRef r;
    r.bits_ = bits;
    return r;
  }

  Sa* sa() const noexcept { return reinterpret_cast<Sa*>(bits_ & ~kOwnerMask); }
  uint16_t owner() const noexcept { return static_cast<uint16_t>(bits_ & kOwnerMask); }
  uintptr_t bits() const noexcept { return bits_; }
  explicit operator bool() const noexcept { return bits_ != 0; }

 private:
  uintptr_t bits_ = 0;
};

}  // namespace vpngw::dataplane
