#include "ike/wire/payloads.hpp"

namespace vpngw::ike {

namespace {

Bytes ipv4_bytes(Ipv4Addr a) {
  return {a.octet(0), a.octet(1), a.octet(2), a.octet(3)};
}

std::optional<Ipv4Addr> ipv4_of(const Bytes& b) {
  if (b.size() != 4) return std::nullopt;
  return Ipv4Addr{static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
                  static_cast<uint32_t>(b[2]) << 8 | b[3]};
}

struct TypeOf {
  PayloadType operator()(const SaPayload&) const { return PayloadType::sa; }
  PayloadType operator()(const KePayload&) const { return PayloadType::ke; }
  PayloadType operator()(const IdPayload& p) const { return p.type; }
  PayloadType operator()(const AuthPayload&) const { return PayloadType::auth; }
  PayloadType operator()(const NoncePayload&) const { return PayloadType::nonce; }
  PayloadType operator()(const NotifyPayload&) const { return PayloadType::notify; }
  PayloadType operator()(const DeletePayload&) const { return PayloadType::del; }
  PayloadType operator()(const VendorIdPayload&) const { return PayloadType::vendor_id; }
  PayloadType operator()(const TsPayload& p) const { return p.type; }
  PayloadType operator()(const EncryptedPayload&) const { return PayloadType::sk; }
  PayloadType operator()(const RawPayload& p) const { return p.type; }
};

}  // namespace

TrafficSelector TrafficSelector::ipv4(const Cidr& cidr, uint8_t protocol, uint16_t start_port,
                                      uint16_t end_port) {
  return ipv4_range(cidr.first(), cidr.last(), protocol, start_port, end_port);
}

TrafficSelector TrafficSelector::ipv4_range(Ipv4Addr first, Ipv4Addr last, uint8_t protocol,
                                            uint16_t start_port, uint16_t end_port) {
  TrafficSelector ts;
  ts.type = TsType::ipv4_addr_range;
  ts.ip_protocol = protocol;
  ts.start_port = start_port;
  ts.end_port = end_port;
  ts.start_address = ipv4_bytes(first);
  ts.end_address = ipv4_bytes(last);
  return ts;
}

std::optional<Ipv4Addr> TrafficSelector::ipv4_start() const {
  if (type != TsType::ipv4_addr_range) return std::nullopt;
  return ipv4_of(start_address);
}

std::optional<Ipv4Addr> TrafficSelector::ipv4_end() const {
  if (type != TsType::ipv4_addr_range) return std::nullopt;
  return ipv4_of(end_address);
}

PayloadType payload_type(const Payload& p) { return std::visit(TypeOf{}, p); }

}  // namespace vpngw::ike
