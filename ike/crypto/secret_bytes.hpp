// Key material in memory that libsodium guards: sodium_malloc() puts it
// between guard pages, locks it out of swap, and sodium_free() wipes it.
// The C++ form of strongSwan's chunk_clear(): a SecretBytes going out of
// scope never leaves the secret behind. Move-only; copies are explicit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "ike/bytes.hpp"

namespace vpngw::ike {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size);  // zero-filled
  explicit SecretBytes(ByteView from);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes clone() const { return SecretBytes(view()); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  ByteView view() const { return {data_, size_}; }
  std::span<uint8_t> span() { return {data_, size_}; }
  operator ByteView() const { return view(); }  // NOLINT: secrets feed ByteView APIs

  // Bytes [offset, offset + length) as a new secret; throws on overrun.
  SecretBytes slice(size_t offset, size_t length) const;

  // Constant-time comparison (sodium_memcmp).
  bool equals(ByteView other) const;

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Constant-time equality of two byte strings of possibly different sizes
// (different sizes compare unequal without looking at the contents). For
// ICVs and AUTH values, whose sizes are public.
bool constant_time_equal(ByteView a, ByteView b);

}  // namespace vpngw::ike
