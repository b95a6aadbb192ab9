// Payload bodies (everything after the 4-byte generic payload header) to
// and from bytes. message.hpp strings them together.
#pragma once

#include "ike/bytes.hpp"
#include "ike/wire/payloads.hpp"
#include "ike/wire/wire_error.hpp"

namespace vpngw::ike {

void write_payload_body(Bytes& out, const Payload& payload);

// Parses the body of a payload of a type we interpret. The body must be
// consumed exactly: a length that leaves bytes over is bad_length.
// body_offset: where the body starts in the message, for error offsets.
WireResult<Payload> read_payload_body(PayloadType type, ByteView body, size_t body_offset);

// The types read_payload_body interprets.
bool is_interpreted(PayloadType type);

// The types RFC 7296 defines that we carry as RawPayload without
// interpreting them; their critical bit is ignored (RFC 7296 §3.2).
bool is_known_uninterpreted(PayloadType type);

}  // namespace vpngw::ike
