#include "ike/wire/payload_codec.hpp"

#include <algorithm>

#include "ike/wire/byte_reader.hpp"
#include "ike/wire/byte_writer.hpp"
#include "ike/wire/sa_codec.hpp"

namespace vpngw::ike {

namespace {

constexpr size_t kTsHeaderSize = 8;
constexpr size_t kIpv4TsSize = 16;
constexpr size_t kIpv6TsSize = 40;

Bytes to_bytes(ByteView v) { return Bytes(v.begin(), v.end()); }

// Writers: one per payload type, the body only.
struct BodyWriter {
  Bytes& out;

  void operator()(const SaPayload& p) const { write_sa_body(out, p); }
  void operator()(const KePayload& p) const {
    ByteWriter w(out);
    w.u16(p.dh_group);
    w.u16(0);
    w.bytes(p.data);
  }
  void operator()(const IdPayload& p) const {
    ByteWriter w(out);
    w.u8(static_cast<uint8_t>(p.id_type));
    w.zeros(3);
    w.bytes(p.data);
  }
  void operator()(const AuthPayload& p) const {
    ByteWriter w(out);
    w.u8(static_cast<uint8_t>(p.method));
    w.zeros(3);
    w.bytes(p.data);
  }
  void operator()(const NoncePayload& p) const { append(out, p.data); }
  void operator()(const NotifyPayload& p) const {
    ByteWriter w(out);
    w.u8(static_cast<uint8_t>(p.protocol));
    w.u8(static_cast<uint8_t>(p.spi.size()));
    w.u16(static_cast<uint16_t>(p.type));
    w.bytes(p.spi);
    w.bytes(p.data);
  }
  void operator()(const DeletePayload& p) const {
    ByteWriter w(out);
    w.u8(static_cast<uint8_t>(p.protocol));
    w.u8(p.spi_size);
    w.u16(static_cast<uint16_t>(p.spis.size()));
    // Every SPI takes exactly spi_size bytes on the wire.
    for (const Bytes& spi : p.spis) {
      Bytes fixed(p.spi_size, 0);
      std::copy_n(spi.begin(), std::min(spi.size(), fixed.size()), fixed.begin());
      w.bytes(fixed);
    }
  }
  void operator()(const VendorIdPayload& p) const { append(out, p.data); }
  void operator()(const TsPayload& p) const {
    ByteWriter w(out);
    w.u8(static_cast<uint8_t>(p.selectors.size()));
    w.zeros(3);
    for (const TrafficSelector& ts : p.selectors) {
      size_t start = w.size();
      w.u8(static_cast<uint8_t>(ts.type));
      w.u8(ts.ip_protocol);
      size_t length_at = w.reserve_u16();
      w.u16(ts.start_port);
      w.u16(ts.end_port);
      w.bytes(ts.start_address);
      w.bytes(ts.end_address);
      w.patch_length(length_at, start);
    }
  }
  void operator()(const EncryptedPayload& p) const { append(out, p.body); }
  void operator()(const RawPayload& p) const { append(out, p.body); }
};

// Readers: each gets a reader over exactly the body.
Unexpected<WireError> err(WireErrorCode code, size_t offset, PayloadType type) {
  return wire_error(code, offset, type);
}

WireResult<Payload> read_ke(ByteReader& r) {
  if (r.remaining() < 4) return err(WireErrorCode::bad_length, r.offset(), PayloadType::ke);
  KePayload p;
  p.dh_group = *r.u16();
  r.u16();  // reserved
  p.data = to_bytes(r.rest());
  return Payload{std::move(p)};
}

WireResult<Payload> read_id(PayloadType type, ByteReader& r) {
  if (r.remaining() < 4) return err(WireErrorCode::bad_length, r.offset(), type);
  IdPayload p;
  p.type = type;
  p.id_type = static_cast<IdType>(*r.u8());
  r.take(3);  // reserved
  size_t data_at = r.offset();
  p.data = to_bytes(r.rest());
  if (p.id_type == IdType::ipv4_addr && p.data.size() != 4)
    return err(WireErrorCode::bad_length, data_at, type);
  if (p.id_type == IdType::ipv6_addr && p.data.size() != 16)
    return err(WireErrorCode::bad_length, data_at, type);
  return Payload{std::move(p)};
}

WireResult<Payload> read_auth(ByteReader& r) {
  if (r.remaining() < 4) return err(WireErrorCode::bad_length, r.offset(), PayloadType::auth);
  AuthPayload p;
  p.method = static_cast<AuthMethod>(*r.u8());
  r.take(3);  // reserved
  p.data = to_bytes(r.rest());
  return Payload{std::move(p)};
}

WireResult<Payload> read_notify(ByteReader& r) {
  size_t start = r.offset();
  if (r.remaining() < 4) return err(WireErrorCode::bad_length, start, PayloadType::notify);
  NotifyPayload p;
  p.protocol = static_cast<ProtocolId>(*r.u8());
  uint8_t spi_size = *r.u8();
  p.type = static_cast<NotifyType>(*r.u16());
  auto spi = r.take(spi_size);
  if (!spi) return err(WireErrorCode::bad_length, start + 1, PayloadType::notify);
  p.spi = to_bytes(*spi);
  p.data = to_bytes(r.rest());
  return Payload{std::move(p)};
}

WireResult<Payload> read_delete(ByteReader& r) {
  size_t start = r.offset();
  if (r.remaining() < 4) return err(WireErrorCode::bad_length, start, PayloadType::del);
  DeletePayload p;
  p.protocol = static_cast<ProtocolId>(*r.u8());
  p.spi_size = *r.u8();
  uint16_t count = *r.u16();
  // The body must hold exactly count SPIs of spi_size bytes.
  if (r.remaining() != size_t{count} * p.spi_size)
    return err(WireErrorCode::bad_length, start + 2, PayloadType::del);
  for (uint16_t i = 0; i < count; ++i) p.spis.push_back(to_bytes(*r.take(p.spi_size)));
  return Payload{std::move(p)};
}

WireResult<TrafficSelector> read_selector(ByteReader& r, PayloadType type) {
  size_t start = r.offset();
  if (r.remaining() < 4) return err(WireErrorCode::truncated, start, type);
  TrafficSelector ts;
  ts.type = static_cast<TsType>(*r.u8());
  ts.ip_protocol = *r.u8();
  uint16_t length = *r.u16();
  size_t address_size = 0;
  if (ts.type == TsType::ipv4_addr_range) {
    address_size = 4;
    if (length != kIpv4TsSize) return err(WireErrorCode::bad_length, start + 2, type);
  } else if (ts.type == TsType::ipv6_addr_range) {
    address_size = 16;
    if (length != kIpv6TsSize) return err(WireErrorCode::bad_length, start + 2, type);
  } else {
    return err(WireErrorCode::bad_value, start, type);
  }
  if (r.remaining() < size_t{length} - 4) return err(WireErrorCode::truncated, start + 2, type);
  ts.start_port = *r.u16();
  ts.end_port = *r.u16();
  ts.start_address = to_bytes(*r.take(address_size));
  ts.end_address = to_bytes(*r.take(address_size));
  return ts;
}

WireResult<Payload> read_ts(PayloadType type, ByteReader& r) {
  size_t start = r.offset();
  if (r.remaining() < 4) return err(WireErrorCode::bad_length, start, type);
  TsPayload p;
  p.type = type;
  uint8_t count = *r.u8();
  r.take(3);  // reserved
  for (uint8_t i = 0; i < count; ++i) {
    auto ts = read_selector(r, type);
    if (!ts) return unexpected(ts.error());
    p.selectors.push_back(std::move(*ts));
  }
  if (!r.empty()) return err(WireErrorCode::trailing_data, r.offset(), type);
  return Payload{std::move(p)};
}

}  // namespace

void write_payload_body(Bytes& out, const Payload& payload) {
  std::visit(BodyWriter{out}, payload);
}

bool is_interpreted(PayloadType type) {
  switch (type) {
    case PayloadType::sa:
    case PayloadType::ke:
    case PayloadType::idi:
    case PayloadType::idr:
    case PayloadType::auth:
    case PayloadType::nonce:
    case PayloadType::notify:
    case PayloadType::del:
    case PayloadType::vendor_id:
    case PayloadType::tsi:
    case PayloadType::tsr:
    case PayloadType::sk: return true;
    default: return false;
  }
}

bool is_known_uninterpreted(PayloadType type) {
  return type == PayloadType::cert || type == PayloadType::certreq || type == PayloadType::cp ||
         type == PayloadType::eap;
}

WireResult<Payload> read_payload_body(PayloadType type, ByteView body, size_t body_offset) {
  ByteReader r(body, body_offset);
  switch (type) {
    case PayloadType::sa: {
      auto sa = read_sa_body(body, body_offset);
      if (!sa) return unexpected(sa.error());
      return Payload{std::move(*sa)};
    }
    case PayloadType::ke: return read_ke(r);
    case PayloadType::idi:
    case PayloadType::idr: return read_id(type, r);
    case PayloadType::auth: return read_auth(r);
    case PayloadType::nonce: return Payload{NoncePayload{to_bytes(body)}};
    case PayloadType::notify: return read_notify(r);
    case PayloadType::del: return read_delete(r);
    case PayloadType::vendor_id: return Payload{VendorIdPayload{to_bytes(body)}};
    case PayloadType::tsi:
    case PayloadType::tsr: return read_ts(type, r);
    default: break;
  }
  // SK needs its "next payload" field and is read by the message parser.
  return err(WireErrorCode::unexpected_payload, body_offset, type);
}

}  // namespace vpngw::ike
