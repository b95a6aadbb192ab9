#include "ike/wire/message.hpp"

#include "ike/wire/byte_reader.hpp"
#include "ike/wire/byte_writer.hpp"
#include "ike/wire/payload_codec.hpp"

namespace vpngw::ike {

namespace {

// What goes into a payload's "next payload" field: the following payload's
// type, except for SK, which names the first payload it encrypts.
PayloadType next_field(std::span<const Payload> payloads, size_t i) {
  if (const auto* sk = std::get_if<EncryptedPayload>(&payloads[i])) return sk->first_inner;
  return i + 1 < payloads.size() ? payload_type(payloads[i + 1]) : PayloadType::none;
}

bool critical_bit(const Payload& p) {
  const auto* raw = std::get_if<RawPayload>(&p);
  return raw != nullptr && raw->critical;
}

}  // namespace

const IdPayload* Message::find_id(PayloadType type) const {
  for (const Payload& p : payloads)
    if (const auto* id = std::get_if<IdPayload>(&p); id && id->type == type) return id;
  return nullptr;
}

const TsPayload* Message::find_ts(PayloadType type) const {
  for (const Payload& p : payloads)
    if (const auto* ts = std::get_if<TsPayload>(&p); ts && ts->type == type) return ts;
  return nullptr;
}

const NotifyPayload* Message::find_notify(NotifyType type) const {
  for (const Payload& p : payloads)
    if (const auto* n = std::get_if<NotifyPayload>(&p); n && n->type == type) return n;
  return nullptr;
}

std::vector<const NotifyPayload*> Message::notifies() const {
  std::vector<const NotifyPayload*> out;
  for (const Payload& p : payloads)
    if (const auto* n = std::get_if<NotifyPayload>(&p)) out.push_back(n);
  return out;
}

Bytes serialize_payloads(std::span<const Payload> payloads) {
  Bytes out;
  ByteWriter w(out);
  for (size_t i = 0; i < payloads.size(); ++i) {
    size_t start = w.size();
    w.u8(static_cast<uint8_t>(next_field(payloads, i)));
    w.u8(critical_bit(payloads[i]) ? kCriticalBit : 0);
    size_t length_at = w.reserve_u16();
    write_payload_body(out, payloads[i]);
    w.patch_length(length_at, start);
  }
  return out;
}

Bytes serialize_message(const Message& message) {
  Bytes body = serialize_payloads(message.payloads);
  PayloadType first =
      message.payloads.empty() ? PayloadType::none : payload_type(message.payloads.front());
  Bytes out;
  out.reserve(kHeaderSize + body.size());
  write_header(out, message.header, first, static_cast<uint32_t>(kHeaderSize + body.size()));
  append(out, body);
  return out;
}

WireResult<std::vector<Payload>> parse_payloads(PayloadType first, ByteView data,
                                                size_t base_offset) {
  std::vector<Payload> payloads;
  ByteReader r(data, base_offset);
  PayloadType type = first;
  while (type != PayloadType::none) {
    size_t start = r.offset();
    if (r.remaining() < kGenericPayloadHeaderSize)
      return wire_error(WireErrorCode::truncated, start, type);
    auto next = static_cast<PayloadType>(*r.u8());
    bool critical = *r.u8() & kCriticalBit;  // the other 7 bits are reserved
    uint16_t length = *r.u16();
    if (length < kGenericPayloadHeaderSize)
      return wire_error(WireErrorCode::bad_length, start + 2, type);
    auto body = r.take(length - kGenericPayloadHeaderSize);
    if (!body) return wire_error(WireErrorCode::truncated, start + 2, type);
    size_t body_at = start + kGenericPayloadHeaderSize;

    if (type == PayloadType::sk) {
      // Whatever follows the SK payload's header is inside it.
      if (!r.empty()) return wire_error(WireErrorCode::trailing_data, r.offset(), type);
      payloads.push_back(EncryptedPayload{next, Bytes(body->begin(), body->end())});
      return payloads;
    }
    if (type == PayloadType::skf) return wire_error(WireErrorCode::unexpected_payload, start, type);
    if (is_interpreted(type)) {
      auto p = read_payload_body(type, *body, body_at);
      if (!p) return unexpected(p.error());
      payloads.push_back(std::move(*p));
    } else if (is_known_uninterpreted(type) || !critical) {
      payloads.push_back(RawPayload{type, critical, Bytes(body->begin(), body->end())});
    } else {
      return wire_error(WireErrorCode::unsupported_critical_payload, start, type);
    }
    type = next;
  }
  if (!r.empty()) return wire_error(WireErrorCode::trailing_data, r.offset());
  return payloads;
}

WireResult<Message> parse_message(ByteView message) {
  auto header = read_header(message);
  if (!header) return unexpected(header.error());
  auto payloads = parse_payloads(header->next_payload, message.subspan(kHeaderSize), kHeaderSize);
  if (!payloads) return unexpected(payloads.error());
  return Message{*header, std::move(*payloads)};
}

}  // namespace vpngw::ike
