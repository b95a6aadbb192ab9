// IANA numbers of the IKEv2 wire format (RFC 7296 §3 and the IANA "IKEv2
// Parameters" registry). Enums with a fixed underlying type hold any value a
// peer sends, so an unknown number survives parsing and can be logged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vpngw::ike {

inline constexpr size_t kHeaderSize = 28;
inline constexpr size_t kGenericPayloadHeaderSize = 4;
inline constexpr uint8_t kMajorVersion = 2;
inline constexpr uint8_t kMinorVersion = 0;

enum class PayloadType : uint8_t {
  none = 0,
  sa = 33,
  ke = 34,
  idi = 35,
  idr = 36,
  cert = 37,
  certreq = 38,
  auth = 39,
  nonce = 40,
  notify = 41,
  del = 42,  // "delete" is a keyword
  vendor_id = 43,
  tsi = 44,
  tsr = 45,
  sk = 46,
  cp = 47,
  eap = 48,
  skf = 53,  // RFC 7383 encrypted fragment
};

enum class ExchangeType : uint8_t {
  ike_sa_init = 34,
  ike_auth = 35,
  create_child_sa = 36,
  informational = 37,
};

// Header flags (RFC 7296 §3.1); the other bits are reserved.
inline constexpr uint8_t kFlagResponse = 0x20;
inline constexpr uint8_t kFlagVersion = 0x10;
inline constexpr uint8_t kFlagInitiator = 0x08;

inline constexpr uint8_t kCriticalBit = 0x80;

enum class ProtocolId : uint8_t { none = 0, ike = 1, ah = 2, esp = 3 };

enum class TransformType : uint8_t { encr = 1, prf = 2, integ = 3, dh = 4, esn = 5 };

enum class TransformAttributeType : uint16_t { key_length = 14 };

// Transform IDs per transform type (IANA "Transform Type N" registries).
namespace encr_id {
inline constexpr uint16_t des = 2;
inline constexpr uint16_t des3 = 3;
inline constexpr uint16_t null = 11;
inline constexpr uint16_t aes_cbc = 12;
inline constexpr uint16_t aes_ctr = 13;
inline constexpr uint16_t aes_gcm_8 = 18;
inline constexpr uint16_t aes_gcm_12 = 19;
inline constexpr uint16_t aes_gcm_16 = 20;
inline constexpr uint16_t chacha20_poly1305 = 28;
}  // namespace encr_id
namespace prf_id {
inline constexpr uint16_t hmac_md5 = 1;
inline constexpr uint16_t hmac_sha1 = 2;
inline constexpr uint16_t aes128_xcbc = 4;
inline constexpr uint16_t hmac_sha2_256 = 5;
inline constexpr uint16_t hmac_sha2_384 = 6;
inline constexpr uint16_t hmac_sha2_512 = 7;
}  // namespace prf_id
namespace integ_id {
inline constexpr uint16_t none = 0;
inline constexpr uint16_t hmac_md5_96 = 1;
inline constexpr uint16_t hmac_sha1_96 = 2;
inline constexpr uint16_t aes_xcbc_96 = 5;
inline constexpr uint16_t hmac_sha2_256_128 = 12;
inline constexpr uint16_t hmac_sha2_384_192 = 13;
inline constexpr uint16_t hmac_sha2_512_256 = 14;
}  // namespace integ_id
namespace esn_id {
inline constexpr uint16_t off = 0;
inline constexpr uint16_t on = 1;
}  // namespace esn_id

enum class IdType : uint8_t {
  ipv4_addr = 1,
  fqdn = 2,
  rfc822_addr = 3,
  ipv6_addr = 5,
  der_asn1_dn = 9,
  der_asn1_gn = 10,
  key_id = 11,
};

enum class AuthMethod : uint8_t {
  rsa_signature = 1,
  shared_key_mic = 2,
  dss_signature = 3,
  ecdsa_sha256_p256 = 9,
  ecdsa_sha384_p384 = 10,
  ecdsa_sha512_p521 = 11,
  digital_signature = 14,
};

enum class TsType : uint8_t { ipv4_addr_range = 7, ipv6_addr_range = 8 };

enum class NotifyType : uint16_t {
  // Errors (< 16384)
  unsupported_critical_payload = 1,
  invalid_ike_spi = 4,
  invalid_major_version = 5,
  invalid_syntax = 7,
  invalid_message_id = 9,
  invalid_spi = 11,
  no_proposal_chosen = 14,
  invalid_ke_payload = 17,
  authentication_failed = 24,
  single_pair_required = 34,
  no_additional_sas = 35,
  internal_address_failure = 36,
  failed_cp_required = 37,
  ts_unacceptable = 38,
  invalid_selectors = 39,
  temporary_failure = 43,
  child_sa_not_found = 44,
  // Status types
  initial_contact = 16384,
  set_window_size = 16385,
  additional_ts_possible = 16386,
  ipcomp_supported = 16387,
  nat_detection_source_ip = 16388,
  nat_detection_destination_ip = 16389,
  cookie = 16390,
  use_transport_mode = 16391,
  http_cert_lookup_supported = 16392,
  rekey_sa = 16393,
  esp_tfc_padding_not_supported = 16394,
  non_first_fragments_also = 16395,
  mobike_supported = 16396,
  fragmentation_supported = 16430,
  signature_hash_algorithms = 16431,
};

// Notify types below this value are errors (RFC 7296 §3.10.1).
inline constexpr uint16_t kFirstStatusNotify = 16384;

inline bool is_error(NotifyType t) { return static_cast<uint16_t>(t) < kFirstStatusNotify; }

// Names for logs: the RFC's spelling, or the number when we have no name.
std::string name_of(PayloadType t);
std::string name_of(ExchangeType t);
std::string name_of(NotifyType t);
std::string name_of(ProtocolId p);

}  // namespace vpngw::ike
