#include "ike/wire/sa_codec.hpp"

#include "ike/wire/byte_reader.hpp"
#include "ike/wire/byte_writer.hpp"

namespace vpngw::ike {

namespace {

// "Last Substructure" values: 0 on the last one, else the substructure's type.
constexpr uint8_t kLast = 0;
constexpr uint8_t kMoreProposals = 2;
constexpr uint8_t kMoreTransforms = 3;
constexpr uint16_t kAttributeFormatTv = 0x8000;
constexpr size_t kProposalHeaderSize = 8;
constexpr size_t kTransformHeaderSize = 8;

Unexpected<WireError> sa_error(WireErrorCode code, size_t offset) {
  return wire_error(code, offset, PayloadType::sa);
}

void write_transform(ByteWriter& w, const Transform& t, bool last) {
  size_t start = w.size();
  w.u8(last ? kLast : kMoreTransforms);
  w.u8(0);
  size_t length_at = w.reserve_u16();
  w.u8(static_cast<uint8_t>(t.type));
  w.u8(0);
  w.u16(t.id);
  if (t.key_bits) {
    w.u16(kAttributeFormatTv | static_cast<uint16_t>(TransformAttributeType::key_length));
    w.u16(*t.key_bits);
  }
  for (const RawAttribute& a : t.other_attributes) {
    if (a.tv) {
      w.u16(kAttributeFormatTv | a.type);
      // A TV attribute holds exactly two bytes; pad or cut what the caller gave.
      w.u8(a.value.size() > 0 ? a.value[0] : 0);
      w.u8(a.value.size() > 1 ? a.value[1] : 0);
    } else {
      w.u16(a.type & 0x7FFF);
      w.u16(static_cast<uint16_t>(a.value.size()));
      w.bytes(a.value);
    }
  }
  w.patch_length(length_at, start);
}

void write_proposal(ByteWriter& w, const Proposal& p, bool last) {
  size_t start = w.size();
  w.u8(last ? kLast : kMoreProposals);
  w.u8(0);
  size_t length_at = w.reserve_u16();
  w.u8(p.number);
  w.u8(static_cast<uint8_t>(p.protocol));
  w.u8(static_cast<uint8_t>(p.spi.size()));
  w.u8(static_cast<uint8_t>(p.transforms.size()));
  w.bytes(p.spi);
  for (size_t i = 0; i < p.transforms.size(); ++i)
    write_transform(w, p.transforms[i], i + 1 == p.transforms.size());
  w.patch_length(length_at, start);
}

WireResult<Transform> read_attributes(Transform t, ByteReader& r) {
  while (!r.empty()) {
    size_t at = r.offset();
    auto type = r.u16();
    if (!type) return sa_error(WireErrorCode::truncated, at);
    bool tv = *type & kAttributeFormatTv;
    uint16_t attr_type = *type & 0x7FFF;
    ByteView value;
    if (tv) {
      auto v = r.take(2);
      if (!v) return sa_error(WireErrorCode::truncated, r.offset());
      value = *v;
    } else {
      auto len = r.u16();
      if (!len) return sa_error(WireErrorCode::truncated, r.offset());
      auto v = r.take(*len);
      if (!v) return sa_error(WireErrorCode::truncated, r.offset());
      value = *v;
    }
    if (tv && attr_type == static_cast<uint16_t>(TransformAttributeType::key_length)) {
      if (t.key_bits) return sa_error(WireErrorCode::bad_value, at);  // given twice
      t.key_bits = static_cast<uint16_t>(value[0] << 8 | value[1]);
    } else {
      t.other_attributes.push_back({attr_type, tv, Bytes(value.begin(), value.end())});
    }
  }
  return t;
}

// Reads one transform; *last tells whether it said it was the last one.
WireResult<Transform> read_transform(ByteReader& r, bool* last) {
  size_t start = r.offset();
  if (r.remaining() < kTransformHeaderSize) return sa_error(WireErrorCode::truncated, start);
  uint8_t more = *r.u8();
  if (more != kLast && more != kMoreTransforms)
    return sa_error(WireErrorCode::bad_substructure, start);
  *last = more == kLast;
  r.u8();  // reserved
  uint16_t length = *r.u16();
  if (length < kTransformHeaderSize) return sa_error(WireErrorCode::bad_length, start + 2);
  if (size_t{length} - 4 > r.remaining()) return sa_error(WireErrorCode::truncated, start + 2);
  Transform t;
  t.type = static_cast<TransformType>(*r.u8());
  r.u8();  // reserved
  t.id = *r.u16();
  ByteReader attrs(*r.take(length - kTransformHeaderSize), r.offset());
  return read_attributes(std::move(t), attrs);
}

WireResult<Proposal> read_proposal(ByteReader& r, bool* last) {
  size_t start = r.offset();
  if (r.remaining() < kProposalHeaderSize) return sa_error(WireErrorCode::truncated, start);
  uint8_t more = *r.u8();
  if (more != kLast && more != kMoreProposals)
    return sa_error(WireErrorCode::bad_substructure, start);
  *last = more == kLast;
  r.u8();  // reserved
  uint16_t length = *r.u16();
  if (length < kProposalHeaderSize) return sa_error(WireErrorCode::bad_length, start + 2);
  if (size_t{length} - 4 > r.remaining()) return sa_error(WireErrorCode::truncated, start + 2);
  Proposal p;
  p.number = *r.u8();
  p.protocol = static_cast<ProtocolId>(*r.u8());
  uint8_t spi_size = *r.u8();
  uint8_t transform_count = *r.u8();
  if (size_t{length} < kProposalHeaderSize + spi_size) return sa_error(WireErrorCode::bad_length, start + 2);
  ByteView spi = *r.take(spi_size);
  p.spi.assign(spi.begin(), spi.end());
  ByteReader transforms(*r.take(length - kProposalHeaderSize - spi_size), r.offset());
  bool last_transform = transforms.empty();
  while (!transforms.empty()) {
    if (last_transform) return sa_error(WireErrorCode::bad_substructure, transforms.offset());
    auto t = read_transform(transforms, &last_transform);
    if (!t) return unexpected(t.error());
    p.transforms.push_back(std::move(*t));
  }
  // Both the count and the "last" marker must agree with what was there.
  if (!last_transform || p.transforms.size() != transform_count)
    return sa_error(WireErrorCode::bad_substructure, start + 7);
  return p;
}

}  // namespace

void write_sa_body(Bytes& out, const SaPayload& sa) {
  ByteWriter w(out);
  for (size_t i = 0; i < sa.proposals.size(); ++i)
    write_proposal(w, sa.proposals[i], i + 1 == sa.proposals.size());
}

WireResult<SaPayload> read_sa_body(ByteView body, size_t body_offset) {
  ByteReader r(body, body_offset);
  SaPayload sa;
  if (r.empty()) return sa_error(WireErrorCode::bad_substructure, body_offset);  // no proposal
  bool last = false;
  while (!r.empty()) {
    if (last) return sa_error(WireErrorCode::bad_substructure, r.offset());
    auto p = read_proposal(r, &last);
    if (!p) return unexpected(p.error());
    sa.proposals.push_back(std::move(*p));
  }
  if (!last) return sa_error(WireErrorCode::bad_substructure, r.offset());
  return sa;
}

}  // namespace vpngw::ike
