// Appends big-endian fields to a byte string, with the one trick every IKE
// structure needs: reserve a 16-bit length field now, fill it in once the
// contents are written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "ike/bytes.hpp"

namespace vpngw::ike {

class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
  }
  void u32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  }
  void u64(uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  }
  void bytes(ByteView v) { append(out_, v); }
  void zeros(size_t n) { out_.insert(out_.end(), n, 0); }

  size_t size() const { return out_.size(); }

  // Reserves a 16-bit field; returns its position for patch_u16.
  size_t reserve_u16() {
    size_t at = out_.size();
    u16(0);
    return at;
  }
  // Writes the length from `start` to the current end into the reserved
  // field. Too long is a bug in the caller (payloads are bounded well below
  // 64 KiB by the message size), not something a peer can cause.
  void patch_length(size_t field_at, size_t start) {
    size_t len = out_.size() - start;
    if (len > 0xFFFF) throw std::length_error("IKE structure longer than 65535 bytes");
    out_[field_at] = static_cast<uint8_t>(len >> 8);
    out_[field_at + 1] = static_cast<uint8_t>(len);
  }

 private:
  Bytes& out_;
};

}  // namespace vpngw::ike
