// The inbound anti-replay window of RFC 4303 §3.4.3 and Appendix A, with the
// extended-sequence-number inference of Appendix A2.
//
// It is used in two phases because packets are decrypted in batches:
//   check()  before crypto: infers the 64-bit number and rejects packets that
//            are already known to be replays; changes nothing, so a forged
//            packet cannot move the window;
//   update() after the ICV verified, with the same 64-bit number, preceded by
//            accepts() because an earlier packet of the same batch may have
//            taken that number or moved the window meanwhile.
// One worker owns an SA's window: nothing here is atomic.
#pragma once

#include <array>
#include <cstdint>

namespace vpngw::dataplane {

enum class ReplayVerdict : uint8_t { ok, replay, outside_window };

struct ReplayCheck {
  ReplayVerdict verdict;
  uint64_t seq;  // the full sequence number (high half inferred with ESN)
};

class ReplayWindow {
 public:
  static constexpr uint32_t kMaxWindow = 4096;

  // size 0 turns the replay check off; with ESN the high half of the
  // sequence number is still inferred (it is part of the ICV).
  // `top` is the highest sequence number already received (0: none yet).
  void reset(uint32_t size, bool esn, uint64_t top = 0) noexcept;

  ReplayCheck check(uint32_t seq_low) const noexcept;
  ReplayVerdict accepts(uint64_t seq) const noexcept;
  void update(uint64_t seq) noexcept;

  uint64_t top() const noexcept { return top_; }
  uint32_t size() const noexcept { return size_; }

 private:
  // The bitmap is a ring over sequence numbers, larger than the biggest
  // window by at least one word, so advancing only ever clears whole words
  // that are entirely right of the window's left edge.
  static constexpr uint32_t kBits = 8192;
  static constexpr uint32_t kWords = kBits / 64;
  static_assert(kBits >= kMaxWindow + 64 && (kBits & (kBits - 1)) == 0);

  uint64_t infer(uint32_t seq_low) const noexcept;
  bool seen(uint64_t seq) const noexcept { return (bits_[(seq / 64) % kWords] >> (seq % 64)) & 1; }

  uint64_t top_ = 0;
  uint32_t size_ = 0;
  bool esn_ = false;
  alignas(64) std::array<uint64_t, kWords> bits_{};
};

}  // namespace vpngw::dataplane
