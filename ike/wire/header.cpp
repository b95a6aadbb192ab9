#include "ike/wire/header.hpp"

#include "ike/wire/byte_reader.hpp"
#include "ike/wire/byte_writer.hpp"

namespace vpngw::ike {

void write_header(Bytes& out, const Header& h, PayloadType first, uint32_t length) {
  ByteWriter w(out);
  w.u64(h.spi_i);
  w.u64(h.spi_r);
  w.u8(static_cast<uint8_t>(first));
  w.u8(static_cast<uint8_t>(h.major_version << 4 | (h.minor_version & 0x0F)));
  w.u8(static_cast<uint8_t>(h.exchange));
  w.u8(static_cast<uint8_t>((h.initiator ? kFlagInitiator : 0) | (h.response ? kFlagResponse : 0) |
                            (h.higher_version ? kFlagVersion : 0)));
  w.u32(h.message_id);
  w.u32(length);
}

WireResult<Header> read_header(ByteView message) {
  ByteReader r(message);
  if (message.size() < kHeaderSize) return wire_error(WireErrorCode::truncated, message.size());
  Header h;
  h.spi_i = *r.u64();
  h.spi_r = *r.u64();
  h.next_payload = static_cast<PayloadType>(*r.u8());
  uint8_t version = *r.u8();
  h.major_version = version >> 4;
  h.minor_version = version & 0x0F;
  // A different major version is reported before anything else so the
  // engine can answer INVALID_MAJOR_VERSION (RFC 7296 §2.5) even when the
  // rest of the message follows rules we do not know.
  if (h.major_version != kMajorVersion) return wire_error(WireErrorCode::bad_major_version, 17);
  h.exchange = static_cast<ExchangeType>(*r.u8());
  uint8_t flags = *r.u8();  // reserved bits are ignored on receipt
  h.initiator = flags & kFlagInitiator;
  h.response = flags & kFlagResponse;
  h.higher_version = flags & kFlagVersion;
  h.message_id = *r.u32();
  h.length = *r.u32();
  if (h.length < kHeaderSize) return wire_error(WireErrorCode::bad_length, 24);
  if (h.length > message.size()) return wire_error(WireErrorCode::truncated, message.size());
  if (h.length < message.size()) return wire_error(WireErrorCode::trailing_data, h.length);
  return h;
}

}  // namespace vpngw::ike
