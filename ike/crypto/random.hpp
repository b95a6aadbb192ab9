// Where SPIs, nonces and padding come from. An interface so the engine's
// tests can make exchanges deterministic; production uses SodiumRandom
// (libsodium's randombytes_buf: the kernel's CSPRNG).
#pragma once

#include <cstdint>
#include <span>

#include "ike/bytes.hpp"

namespace vpngw::ike {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void fill(std::span<uint8_t> out) = 0;
};

class SodiumRandom final : public RandomSource {
 public:
  SodiumRandom();
  void fill(std::span<uint8_t> out) override;
};

// An IKE SA SPI: never 0, which means "not yet known" in the header.
uint64_t random_ike_spi(RandomSource& random);

// An ESP SPI: 256 or more (1-255 are reserved by IANA, 0 is invalid).
uint32_t random_esp_spi(RandomSource& random);

// Nonce sizes: RFC 7296 §2.10 wants at least 16 bytes and half the PRF key
// size; 32 covers every PRF we offer up to SHA-512's 64-byte key.
inline constexpr size_t kNonceSize = 32;
inline constexpr size_t kMinNonceSize = 16;
inline constexpr size_t kMaxNonceSize = 256;

Bytes random_nonce(RandomSource& random, size_t size = kNonceSize);

}  // namespace vpngw::ike
