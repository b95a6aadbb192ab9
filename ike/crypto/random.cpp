#include "ike/crypto/random.hpp"

#include <sodium.h>

#include <stdexcept>

namespace vpngw::ike {

SodiumRandom::SodiumRandom() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

void SodiumRandom::fill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

uint64_t random_ike_spi(RandomSource& random) {
  uint64_t spi = 0;
  while (spi == 0) {
    uint8_t b[8];
    random.fill(b);
    for (uint8_t byte : b) spi = spi << 8 | byte;
  }
  return spi;
}

uint32_t random_esp_spi(RandomSource& random) {
  uint32_t spi = 0;
  while (spi < 256) {
    uint8_t b[4];
    random.fill(b);
    spi = static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
          static_cast<uint32_t>(b[2]) << 8 | b[3];
  }
  return spi;
}

Bytes random_nonce(RandomSource& random, size_t size) {
  Bytes nonce(size);
  random.fill(nonce);
  return nonce;
}

}  // namespace vpngw::ike
