// Small helpers shared by the ESP stages: big-endian loads and stores on
// packet bytes, the constant-time ICV compare, and the job fields both
// directions set from the SA's template. Header-only so they inline.
#pragma once

#include <intel-ipsec-mb.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dataplane/sa_runtime.hpp"

namespace vpngw::dataplane {

inline uint16_t load_be16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t load_be32(const uint8_t* p) noexcept {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
inline void store_be16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void store_be32(uint8_t* p, uint32_t v) noexcept {
  store_be16(p, static_cast<uint16_t>(v >> 16));
  store_be16(p + 2, static_cast<uint16_t>(v));
}
inline void store_be64(uint8_t* p, uint64_t v) noexcept {
  store_be32(p, static_cast<uint32_t>(v >> 32));
  store_be32(p + 4, static_cast<uint32_t>(v));
}

// Compares without an early exit, so the time taken does not tell a forger
// how many leading ICV bytes were right. ICVs are 12 or 16 bytes: two
// word loads each side instead of a byte loop.
inline bool icv_equal(const uint8_t* a, const uint8_t* b, size_t len) noexcept {
  uint64_t a0, b0, a1 = 0, b1 = 0;
  std::memcpy(&a0, a, 8);
  std::memcpy(&b0, b, 8);
  if (len == 16) {
    std::memcpy(&a1, a + 8, 8);
    std::memcpy(&b1, b + 8, 8);
  } else {
    uint32_t a32, b32;
    std::memcpy(&a32, a + 8, 4);
    std::memcpy(&b32, b + 8, 4);
    a1 = a32;
    b1 = b32;
  }
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

// RFC 4303 §2.4 default padding: byte k (from 0) of the padding is k + 1.
// One constant table serves both writing it and checking it.
inline constexpr std::array<uint8_t, 255> kPadBytes = [] {
  std::array<uint8_t, 255> t{};
  for (size_t k = 0; k < t.size(); ++k) t[k] = static_cast<uint8_t>(k + 1);
  return t;
}();

// Checks received padding against the table four bytes at a time (a call
// to memcmp costs more than the compare for these few bytes).
inline bool padding_ok(const uint8_t* pad, uint32_t len) noexcept {
  uint32_t diff = 0;
  uint32_t k = 0;
  for (; k + 4 <= len; k += 4) {
    uint32_t got, want;
    std::memcpy(&got, pad + k, 4);
    std::memcpy(&want, kPadBytes.data() + k, 4);
    diff |= got ^ want;
  }
  for (; k < len; ++k) diff |= static_cast<uint32_t>(pad[k] ^ kPadBytes[k]);
  return diff == 0;
}

// True when a 20-byte IPv4 header's checksum verifies; longer headers
// (options) take the general path.
inline bool ipv4_header_checksum_ok(const uint8_t* h, size_t len) noexcept {
  uint64_t sum = 0;
  if (len == 20) {
    uint32_t w[5];
    std::memcpy(w, h, 20);
    sum = uint64_t{w[0]} + w[1] + w[2] + w[3] + w[4];
  } else {
    for (size_t k = 0; k + 3 < len; k += 4) {
      uint32_t w;
      std::memcpy(&w, h + k, 4);
      sum += w;
    }
  }
  // Ones'-complement sum of 16-bit words, in whatever byte order they were
  // loaded: a valid header sums to 0xffff either way.
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

// IPsec-MB jobs are recycled in its queue: every field our algorithms read is
// set on every packet, starting with the ones fixed by the SA.
inline void set_sa_fields(IMB_JOB& job, const JobTemplate& t, IMB_CIPHER_DIRECTION dir) noexcept {
  job.enc_keys = t.enc_keys;
  job.dec_keys = t.dec_keys;
  job.key_len_in_bytes = t.key_len;
  job.cipher_mode = static_cast<IMB_CIPHER_MODE>(t.cipher_mode);
  job.hash_alg = static_cast<IMB_HASH_ALG>(t.hash_alg);
  job.cipher_direction = dir;
  // Outbound encrypts then authenticates; inbound authenticates the
  // ciphertext, then decrypts it.
  job.chain_order = dir == IMB_DIR_ENCRYPT ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
  job.auth_tag_output_len_in_bytes = t.icv_len;
  if (!t.gcm) {
    job.u.HMAC._hashed_auth_key_xor_ipad = t.ipad;
    job.u.HMAC._hashed_auth_key_xor_opad = t.opad;
  }
}

// The GCM nonce (RFC 4106 §4): the SA's salt, then the 8-byte IV.
inline void make_gcm_nonce(uint8_t* nonce, const JobTemplate& t, const uint8_t* iv) noexcept {
  for (size_t k = 0; k < 4; ++k) nonce[k] = t.salt[k];
  for (size_t k = 0; k < 8; ++k) nonce[4 + k] = iv[k];
}

// The GCM AAD (RFC 4106 §5): SPI, [high half of the ESN], low half.
// Returns its length.
inline uint32_t make_gcm_aad(uint8_t* aad, const uint8_t* esp_header, bool esn,
                             uint64_t seq) noexcept {
  for (size_t k = 0; k < 4; ++k) aad[k] = esp_header[k];
  if (!esn) {
    store_be32(aad + 4, static_cast<uint32_t>(seq));
    return 8;
  }
  store_be32(aad + 4, static_cast<uint32_t>(seq >> 32));
  store_be32(aad + 8, static_cast<uint32_t>(seq));
  return 12;
}

}  // namespace vpngw::dataplane
