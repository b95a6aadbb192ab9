// The IKEv2 payloads as plain values (RFC 7296 §3.3-§3.14). Lengths,
// "next payload" and "last substructure" fields are not stored: the
// serializer computes them, the parser checks them.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "common/net.hpp"
#include "ike/bytes.hpp"
#include "ike/wire/constants.hpp"

namespace vpngw::ike {

// A transform attribute other than Key Length, kept so that a transform
// carrying one we do not understand can be refused (RFC 7296 §3.3.6) and so
// a parsed SA payload serializes back to the same bytes.
struct RawAttribute {
  uint16_t type = 0;  // without the AF bit
  bool tv = false;    // Type/Value form (AF = 1): value is exactly 2 bytes
  Bytes value;
  bool operator==(const RawAttribute&) const = default;
};

struct Transform {
  TransformType type = TransformType::encr;
  uint16_t id = 0;
  std::optional<uint16_t> key_bits;  // the Key Length attribute (AES)
  std::vector<RawAttribute> other_attributes;
  bool operator==(const Transform&) const = default;
};

struct Proposal {
  uint8_t number = 1;
  ProtocolId protocol = ProtocolId::ike;
  Bytes spi;  // empty in IKE_SA_INIT, 8 bytes for an IKE rekey, 4 for ESP
  std::vector<Transform> transforms;
  bool operator==(const Proposal&) const = default;
};

struct SaPayload {
  std::vector<Proposal> proposals;
  bool operator==(const SaPayload&) const = default;
};

struct KePayload {
  uint16_t dh_group = 0;
  Bytes data;
  bool operator==(const KePayload&) const = default;
};

struct IdPayload {
  PayloadType type = PayloadType::idi;  // idi or idr
  IdType id_type = IdType::ipv4_addr;
  Bytes data;  // 4 bytes for ipv4_addr, the name for fqdn
  bool operator==(const IdPayload&) const = default;
};

struct AuthPayload {
  AuthMethod method = AuthMethod::shared_key_mic;
  Bytes data;
  bool operator==(const AuthPayload&) const = default;
};

struct NoncePayload {
  Bytes data;
  bool operator==(const NoncePayload&) const = default;
};

struct NotifyPayload {
  ProtocolId protocol = ProtocolId::none;
  Bytes spi;
  NotifyType type = NotifyType::initial_contact;
  Bytes data;
  bool operator==(const NotifyPayload&) const = default;
};

struct DeletePayload {
  ProtocolId protocol = ProtocolId::esp;
  uint8_t spi_size = 4;  // 0 for the IKE SA itself
  std::vector<Bytes> spis;
  bool operator==(const DeletePayload&) const = default;
};

struct VendorIdPayload {
  Bytes data;
  bool operator==(const VendorIdPayload&) const = default;
};

// One traffic selector. Addresses are 4 bytes (TS_IPV4_ADDR_RANGE) or 16
// (TS_IPV6_ADDR_RANGE); the parser rejects other types.
struct TrafficSelector {
  TsType type = TsType::ipv4_addr_range;
  uint8_t ip_protocol = 0;  // 0 = any
  uint16_t start_port = 0;
  uint16_t end_port = 0xFFFF;
  Bytes start_address;
  Bytes end_address;

  // An IPv4 range covering a prefix, any protocol and port unless given.
  static TrafficSelector ipv4(const Cidr& cidr, uint8_t protocol = 0, uint16_t start_port = 0,
                              uint16_t end_port = 0xFFFF);
  static TrafficSelector ipv4_range(Ipv4Addr first, Ipv4Addr last, uint8_t protocol = 0,
                                    uint16_t start_port = 0, uint16_t end_port = 0xFFFF);
  std::optional<Ipv4Addr> ipv4_start() const;
  std::optional<Ipv4Addr> ipv4_end() const;
  bool operator==(const TrafficSelector&) const = default;
};

struct TsPayload {
  PayloadType type = PayloadType::tsi;  // tsi or tsr
  std::vector<TrafficSelector> selectors;
  bool operator==(const TsPayload&) const = default;
};

// The Encrypted and Authenticated payload as it sits in the message:
// IV || ciphertext || ICV, plus the type of the first payload inside.
// crypto/sk_payload.hpp seals and opens it.
struct EncryptedPayload {
  PayloadType first_inner = PayloadType::none;
  Bytes body;
  bool operator==(const EncryptedPayload&) const = default;
};

// A payload whose body we carry without interpreting: the types RFC 7296
// defines that we do not use (CERT, CERTREQ, CP, EAP) and unknown types
// without the critical bit, which the RFC says to skip.
struct RawPayload {
  PayloadType type = PayloadType::none;
  bool critical = false;
  Bytes body;
  bool operator==(const RawPayload&) const = default;
};

using Payload = std::variant<SaPayload, KePayload, IdPayload, AuthPayload, NoncePayload,
                             NotifyPayload, DeletePayload, VendorIdPayload, TsPayload,
                             EncryptedPayload, RawPayload>;

PayloadType payload_type(const Payload& p);

}  // namespace vpngw::ike
