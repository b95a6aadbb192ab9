// An IKEv2 message: the header and its payloads in order (RFC 7296 §3).
// parse_message() is total: any input yields a Message or a WireError, and
// it never reads outside the buffer. serialize_message() computes every
// length and "next payload" field, so a Message is all a sender fills in.
#pragma once

#include <span>
#include <vector>

#include "ike/bytes.hpp"
#include "ike/wire/header.hpp"
#include "ike/wire/payloads.hpp"
#include "ike/wire/wire_error.hpp"

namespace vpngw::ike {

struct Message {
  Header header;
  std::vector<Payload> payloads;

  // The first payload of type T (and, for ID/TS, of the given wire type).
  template <typename T>
  const T* find() const {
    for (const Payload& p : payloads)
      if (const T* t = std::get_if<T>(&p)) return t;
    return nullptr;
  }
  const IdPayload* find_id(PayloadType type) const;
  const TsPayload* find_ts(PayloadType type) const;
  const NotifyPayload* find_notify(NotifyType type) const;
  // All notifies, in order (NAT detection sends several of one type).
  std::vector<const NotifyPayload*> notifies() const;

  bool operator==(const Message&) const = default;
};

// Serializes a list of payloads chained by their "next payload" fields. The
// last one's field is 0 (or, for an SK payload, its first inner type).
Bytes serialize_payloads(std::span<const Payload> payloads);

Bytes serialize_message(const Message& message);

// Parses a chain of payloads starting with type `first` that fills `data`
// exactly. base_offset: where `data` starts within the message.
//  - unknown types with the critical bit: unsupported_critical_payload (the
//    error's payload field is the type, for the UNSUPPORTED_CRITICAL_PAYLOAD
//    notify); without it: kept as RawPayload.
//  - SK must be the last payload: its "next payload" field names the first
//    payload inside it, not a payload after it.
//  - SKF (RFC 7383 fragments) is unexpected_payload: we never announce
//    fragmentation support, so a peer must not send fragments.
WireResult<std::vector<Payload>> parse_payloads(PayloadType first, ByteView data,
                                                size_t base_offset);

// Header checks of read_header(), then the payload chain.
WireResult<Message> parse_message(ByteView message);

}  // namespace vpngw::ike
