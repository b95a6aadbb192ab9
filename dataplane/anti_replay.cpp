#include "dataplane/anti_replay.hpp"

namespace vpngw::dataplane {

void ReplayWindow::reset(uint32_t size, bool esn, uint64_t top) noexcept {
  size_ = size > kMaxWindow ? kMaxWindow : size;
  esn_ = esn;
  top_ = top;
  bits_.fill(0);
  if (top == 0) return;
  // A standby taking over knows the highest number received but not which
  // of the ones below it arrived: treat all of them as received, so nothing
  // is accepted twice. Bits above `top` in its own word must stay clear.
  bits_.fill(~uint64_t{0});
  const uint32_t used = static_cast<uint32_t>(top % 64) + 1;
  bits_[(top / 64) % kWords] = used == 64 ? ~uint64_t{0} : (uint64_t{1} << used) - 1;
}

uint64_t ReplayWindow::infer(uint32_t seq_low) const noexcept {
  if (!esn_) return seq_low;
  // RFC 4303 Appendix A2.1. Without a window, the receiver still has to pick
  // the high half; half the number space on either side of the top is the
  // widest window for which the choice stays unambiguous.
  const uint32_t window = size_ != 0 ? size_ : (uint32_t{1} << 31);
  const uint32_t top_low = static_cast<uint32_t>(top_);
  const uint32_t top_high = static_cast<uint32_t>(top_ >> 32);
  const uint32_t left_edge = top_low - window + 1;  // wraps in case B on purpose
  uint32_t high;
  if (top_low >= window - 1) {
    // Case A: the window lies within one 2^32 block.
    high = seq_low >= left_edge ? top_high : top_high + 1;
  } else {
    // Case B: the window straddles a block boundary.
    if (seq_low >= left_edge) {
      if (top_high == 0) return 0;  // left of sequence number 1: never valid
      high = top_high - 1;
    } else {
      high = top_high;
    }
  }
  return (uint64_t{high} << 32) | seq_low;
}

ReplayCheck ReplayWindow::check(uint32_t seq_low) const noexcept {
  const uint64_t seq = infer(seq_low);
  if (esn_ && seq == 0) return {ReplayVerdict::outside_window, 0};
  return {accepts(seq), seq};
}

ReplayVerdict ReplayWindow::accepts(uint64_t seq) const noexcept {
  if (size_ == 0) return ReplayVerdict::ok;
  if (seq == 0) return ReplayVerdict::outside_window;  // numbering starts at 1
  if (seq > top_) return ReplayVerdict::ok;
  if (top_ - seq >= size_) return ReplayVerdict::outside_window;
  return seen(seq) ? ReplayVerdict::replay : ReplayVerdict::ok;
}

void ReplayWindow::update(uint64_t seq) noexcept {
  if (seq > top_) {
    const uint64_t first_word = top_ / 64 + 1;
    const uint64_t last_word = seq / 64;
    if (last_word >= first_word) {
      if (last_word - first_word >= kWords) {
        bits_.fill(0);
      } else {
        for (uint64_t w = first_word; w <= last_word; ++w) bits_[w % kWords] = 0;
      }
    }
    top_ = seq;
  }
  bits_[(seq / 64) % kWords] |= uint64_t{1} << (seq % 64);
}

}  // namespace vpngw::dataplane
