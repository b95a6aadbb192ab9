// Unpredictable CBC IVs for one worker: an AES-128-CTR keystream under a key
// drawn from the kernel (getrandom, through libsodium) when the worker's
// crypto context is created. CBC needs IVs an attacker cannot predict
// (VPP CVE-2022-46397); a counter or the previous ciphertext block is not
// enough. The keystream is made 64 IVs at a time with IPsec-MB's synchronous
// cipher burst, which does not touch the manager's job queue.
#pragma once

#include <intel-ipsec-mb.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vpngw::dataplane {

class IvGenerator {
 public:
  IvGenerator() = default;
  ~IvGenerator();
  IvGenerator(const IvGenerator&) = delete;
  IvGenerator& operator=(const IvGenerator&) = delete;

  // Draws the key and nonce; `mgr` must outlive the generator and belong to
  // the same thread. Returns false when no randomness is available.
  bool init(IMB_MGR* mgr) noexcept;

  // Writes `len` (8 or 16) fresh bytes.
  void next(uint8_t* out, size_t len) noexcept {
    if (pos_ + len > pool_.size()) [[unlikely]] {
      refill();
    }
    // Fixed-size copies: a variable length calls libc's memcpy per packet.
    if (len == 16) {
      std::memcpy(out, pool_.data() + pos_, 16);
    } else {
      std::memcpy(out, pool_.data() + pos_, 8);
    }
    pos_ += static_cast<uint32_t>(len);
  }

 private:
  void refill() noexcept;

  IMB_MGR* mgr_ = nullptr;
  uint64_t refills_ = 0;
  uint32_t pos_ = 0;
  // nonce (4) | refill number (8) | block counter (4): one counter block
  // is never used twice for the life of the key.
  alignas(16) std::array<uint8_t, 16> counter_block_{};
  alignas(16) std::array<uint32_t, 44> key_schedule_{};  // AES-128: 11 round keys
  alignas(64) std::array<uint8_t, 1024> pool_{};
};

}  // namespace vpngw::dataplane
