// One ESP SA as the control plane installs it (IKE, or `vpngwctl sa create`):
// a plain, trivially copyable value that can cross a ring or be written to a
// file as is. The dataplane turns it into an OutboundSa/InboundSa runtime
// object (sa_runtime.hpp); nothing here is used on the packet path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/net.hpp"

namespace vpngw::dataplane {

enum class SaDirection : uint8_t { inbound, outbound };

enum class EspCipher : uint8_t {
  des_cbc,   // legacy, 8-byte key
  des3_cbc,  // legacy, 24-byte key (K1 K2 K3)
  aes128_cbc,
  aes192_cbc,
  aes256_cbc,
  aes128_gcm,  // RFC 4106: 16-byte key + 4-byte salt, 16-byte ICV
  aes256_gcm,  // RFC 4106: 32-byte key + 4-byte salt, 16-byte ICV
};

enum class EspIntegrity : uint8_t {
  none,             // only with AES-GCM, which authenticates by itself
  hmac_md5_96,      // legacy, 16-byte key
  hmac_sha1_96,     // 20-byte key
  hmac_sha256_128,  // 32-byte key (RFC 4868)
};

struct EspCipherInfo {
  EspCipher cipher;
  std::string_view name;
  uint8_t key_len;    // bytes of keying material, salt included for GCM
  uint8_t iv_len;     // bytes of IV on the wire
  uint8_t block_len;  // the payload is padded to a multiple of this (>= 4)
  bool aead;
};

inline constexpr std::array<EspCipherInfo, 7> kEspCiphers{{
    {EspCipher::des_cbc, "des-cbc", 8, 8, 8, false},
    {EspCipher::des3_cbc, "3des-cbc", 24, 8, 8, false},
    {EspCipher::aes128_cbc, "aes128-cbc", 16, 16, 16, false},
    {EspCipher::aes192_cbc, "aes192-cbc", 24, 16, 16, false},
    {EspCipher::aes256_cbc, "aes256-cbc", 32, 16, 16, false},
    {EspCipher::aes128_gcm, "aes128-gcm", 20, 8, 4, true},
    {EspCipher::aes256_gcm, "aes256-gcm", 36, 8, 4, true},
}};

struct EspIntegrityInfo {
  EspIntegrity integrity;
  std::string_view name;
  uint8_t key_len;
  uint8_t icv_len;
};

inline constexpr std::array<EspIntegrityInfo, 4> kEspIntegrities{{
    {EspIntegrity::none, "none", 0, 0},
    {EspIntegrity::hmac_md5_96, "hmac-md5-96", 16, 12},
    {EspIntegrity::hmac_sha1_96, "hmac-sha1-96", 20, 12},
    {EspIntegrity::hmac_sha256_128, "hmac-sha256-128", 32, 16},
}};

constexpr const EspCipherInfo& info_of(EspCipher c) { return kEspCiphers[static_cast<size_t>(c)]; }
constexpr const EspIntegrityInfo& info_of(EspIntegrity i) {
  return kEspIntegrities[static_cast<size_t>(i)];
}
constexpr std::string_view name_of(EspCipher c) { return info_of(c).name; }
constexpr std::string_view name_of(EspIntegrity i) { return info_of(i).name; }
inline constexpr uint8_t kGcmIcvLen = 16;
inline constexpr uint8_t kGcmSaltLen = 4;

// Replay window sizes the inbound path supports (0 turns the check off).
inline constexpr uint32_t kMinReplayWindow = 32;
inline constexpr uint32_t kMaxReplayWindow = 4096;

// Traffic-selector capacity of one SA: one local CIDR per SPD rule of a
// tunnel (10) and up to 50 peer CIDRs per rule (PRODUCT.md quotas).
inline constexpr size_t kMaxLocalSelectors = 16;
inline constexpr size_t kMaxPeerSelectors = 64;

inline constexpr size_t kMaxCipherKeyLen = 36;
inline constexpr size_t kMaxAuthKeyLen = 32;

struct SaParams {
  uint32_t sa_id = 0;  // the control plane's handle, reported with events and counters
  SaDirection direction = SaDirection::outbound;
  uint32_t spi = 0;  // host byte order; 256 and up (1-255 are reserved by IANA)

  EspCipher cipher = EspCipher::aes128_cbc;
  EspIntegrity integrity = EspIntegrity::hmac_sha1_96;
  uint8_t cipher_key_len = 0;
  uint8_t auth_key_len = 0;
  std::array<uint8_t, kMaxCipherKeyLen> cipher_key{};  // GCM: key || 4-byte salt
  std::array<uint8_t, kMaxAuthKeyLen> auth_key{};

  // The outer header of this SA's packets: for an outbound SA src is our
  // public address and dst the peer's; for an inbound SA the reverse. Outbound
  // writes them; inbound packets are matched to the SA by the pipeline (SPI),
  // and the ESP core does not re-check them, so a NATed peer may move.
  Ipv4Addr tunnel_src;
  Ipv4Addr tunnel_dst;

  // RFC 3948 ESP-in-UDP (NAT traversal); ports in host byte order.
  bool udp_encap = false;
  uint16_t udp_src_port = 4500;
  uint16_t udp_dst_port = 4500;

  bool esn = false;  // 64-bit extended sequence numbers (RFC 4303 §2.2.1)
  // Inbound only: 0 = anti-replay off, else kMinReplayWindow..kMaxReplayWindow.
  uint32_t replay_window = 1024;
  // For a hot-standby takeover: outbound continues after this sequence number,
  // inbound treats it as the highest one already received. 0 for a new SA.
  uint64_t start_seq = 0;

  // Hard limits, 0 = none; the soft limit (rekey trigger) is 90 % of each.
  uint64_t max_bytes = 0;  // inner (plaintext) IP bytes
  uint64_t max_packets = 0;

  // Inbound only: the decrypted packet's destination must lie in one of the
  // local CIDRs and its source in one of the peer CIDRs.
  uint8_t local_count = 0;
  uint8_t peer_count = 0;
  std::array<Cidr, kMaxLocalSelectors> local{};
  std::array<Cidr, kMaxPeerSelectors> peer{};
};

static_assert(std::is_trivially_copyable_v<SaParams>, "SaParams crosses rings and files by value");

struct SaParamError {
  std::string field;    // e.g. "cipher_key"
  std::string message;  // the rule, for an operator
};

// Checks everything the runtime relies on: key lengths for the algorithms,
// DES/3DES weak and semi-weak keys, 3DES keys that collapse to single DES,
// GCM without integrity and CBC with it, SPI range, replay window, selectors.
std::optional<SaParamError> validate_sa_params(const SaParams& params);

}  // namespace vpngw::dataplane
