// A bounds-checked cursor over received bytes. Every read says whether it
// fitted; on failure nothing is consumed, so a parser can report the offset
// of the field that did not fit. Offsets are absolute (from the start of the
// whole message) so errors point at the right byte even in nested parsers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "ike/bytes.hpp"

namespace vpngw::ike {

class ByteReader {
 public:
  // base_offset: where `data` starts within the message, for error offsets.
  explicit ByteReader(ByteView data, size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  size_t offset() const { return base_ + pos_; }  // absolute offset of the next byte

  std::optional<uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return data_[pos_++];
  }
  std::optional<uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    uint16_t v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::optional<uint32_t> u32() {
    if (remaining() < 4) return std::nullopt;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | data_[pos_ + i];
    pos_ += 4;
    return v;
  }
  std::optional<uint64_t> u64() {
    if (remaining() < 8) return std::nullopt;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | data_[pos_ + i];
    pos_ += 8;
    return v;
  }
  // A view of the next n bytes, or nothing if fewer remain.
  std::optional<ByteView> take(size_t n) {
    if (remaining() < n) return std::nullopt;
    ByteView v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  ByteView rest() {
    ByteView v = data_.subspan(pos_);
    pos_ = data_.size();
    return v;
  }

 private:
  ByteView data_;
  size_t base_;
  size_t pos_ = 0;
};

}  // namespace vpngw::ike
