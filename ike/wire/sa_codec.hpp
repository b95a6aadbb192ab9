// The SA payload body: proposals, transforms and their attributes
// (RFC 7296 §3.3). Used by payload_codec.cpp.
#pragma once

#include "ike/bytes.hpp"
#include "ike/wire/payloads.hpp"
#include "ike/wire/wire_error.hpp"

namespace vpngw::ike {

void write_sa_body(Bytes& out, const SaPayload& sa);

// body_offset: where the body starts in the message, for error offsets.
WireResult<SaPayload> read_sa_body(ByteView body, size_t body_offset);

}  // namespace vpngw::ike
