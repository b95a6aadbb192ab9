// The fixed IKE header (RFC 7296 §3.1).
#pragma once

#include <cstdint>

#include "ike/bytes.hpp"
#include "ike/wire/constants.hpp"
#include "ike/wire/wire_error.hpp"

namespace vpngw::ike {

struct Header {
  uint64_t spi_i = 0;  // IKE SA initiator's SPI
  uint64_t spi_r = 0;  // IKE SA responder's SPI; 0 in the first IKE_SA_INIT request
  // The type of the first payload. Filled in by the serializer from the
  // payload list; on parse, what the peer sent.
  PayloadType next_payload = PayloadType::none;
  uint8_t major_version = kMajorVersion;
  uint8_t minor_version = kMinorVersion;
  ExchangeType exchange = ExchangeType::ike_sa_init;
  bool initiator = false;       // I: sent by the original initiator of the IKE SA
  bool response = false;        // R: this message is a response
  bool higher_version = false;  // V: the sender could speak a higher major version
  uint32_t message_id = 0;
  // The whole message's length. Computed by the serializer; on parse, what
  // the peer sent (already checked against the datagram's size).
  uint32_t length = 0;

  bool operator==(const Header&) const = default;
};

// Appends the 28 header bytes with the given length.
void write_header(Bytes& out, const Header& h, PayloadType first, uint32_t length);

// Reads and checks the header: truncated (< 28 bytes), bad_major_version,
// bad_length (length field < 28), truncated (length field > buffer),
// trailing_data (length field < buffer).
WireResult<Header> read_header(ByteView message);

}  // namespace vpngw::ike
