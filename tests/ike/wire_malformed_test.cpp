// Malformed input: every way a length or structure can be wrong is an
// error value that names it, never a crash or a read past the buffer.
#include <gtest/gtest.h>

#include <random>

#include "ike/sa/transform_ids.hpp"
#include "ike/wire/message.hpp"
#include "tests/ike/sample_messages.hpp"

namespace vpngw::ike::test {
namespace {

void set_u16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

void set_u32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

// Makes the header's length field agree with the buffer, so the parser has
// to find what is wrong inside the payloads.
void fix_length(Bytes& b) {
  if (b.size() >= kHeaderSize) set_u32(b, 24, static_cast<uint32_t>(b.size()));
}

Bytes wire_of(std::vector<Payload> payloads) {
  Message m;
  m.payloads = std::move(payloads);
  return serialize_message(m);
}

WireErrorCode error_of(const Bytes& b) {
  auto parsed = parse_message(b);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? WireErrorCode::truncated : parsed.error().code;
}

TEST(WireMalformed, EveryTruncationIsAnError) {
  const Bytes wire = serialize_message(every_payload_message());
  for (size_t n = 0; n < wire.size(); ++n) {
    Bytes cut(wire.begin(), wire.begin() + static_cast<ptrdiff_t>(n));
    auto parsed = parse_message(cut);
    ASSERT_FALSE(parsed.ok()) << "cut at " << n;
    EXPECT_LE(parsed.error().offset, n);
  }
}

TEST(WireMalformed, EveryTruncationWithAConsistentHeaderIsAnError) {
  // The header agrees with the shorter buffer; only the payloads' own
  // lengths can tell that something is missing.
  const Bytes wire = serialize_message(every_payload_message());
  for (size_t n = kHeaderSize; n < wire.size(); ++n) {
    Bytes cut(wire.begin(), wire.begin() + static_cast<ptrdiff_t>(n));
    fix_length(cut);
    auto parsed = parse_message(cut);
    ASSERT_FALSE(parsed.ok()) << "cut at " << n;
    EXPECT_LE(parsed.error().offset, n);
  }
}

TEST(WireMalformed, HeaderLengthErrors) {
  Bytes wire = wire_of({NoncePayload{Bytes(16, 1)}});
  Bytes b = wire;
  set_u32(b, 24, 27);
  EXPECT_EQ(error_of(b), WireErrorCode::bad_length);
  b = wire;
  set_u32(b, 24, 0xFFFFFFFF);  // length overflow
  EXPECT_EQ(error_of(b), WireErrorCode::truncated);
  b = wire;
  b.push_back(0);  // a byte the header does not count
  EXPECT_EQ(error_of(b), WireErrorCode::trailing_data);
  b = wire;
  b.push_back(0);
  fix_length(b);  // counted, but no payload claims it
  EXPECT_EQ(error_of(b), WireErrorCode::trailing_data);
}

TEST(WireMalformed, MajorVersionOtherThanTwo) {
  Bytes b = wire_of({});
  b[17] = 0x10;  // IKEv1 (ISAKMP 1.0)
  EXPECT_EQ(error_of(b), WireErrorCode::bad_major_version);
  b[17] = 0x30;
  EXPECT_EQ(error_of(b), WireErrorCode::bad_major_version);
}

TEST(WireMalformed, PayloadLengthTooSmallOrTooLarge) {
  Bytes wire = wire_of({NoncePayload{Bytes(16, 1)}});
  for (uint16_t bad : {0, 1, 2, 3}) {
    Bytes b = wire;
    set_u16(b, kHeaderSize + 2, bad);
    EXPECT_EQ(error_of(b), WireErrorCode::bad_length) << bad;
  }
  for (uint16_t bad : {21, 100, 0xFFFF}) {
    Bytes b = wire;
    set_u16(b, kHeaderSize + 2, bad);
    EXPECT_EQ(error_of(b), WireErrorCode::truncated) << bad;
  }
}

TEST(WireMalformed, NextPayloadPointingPastTheEnd) {
  Bytes b = wire_of({NoncePayload{Bytes(16, 1)}});
  b[kHeaderSize] = static_cast<uint8_t>(PayloadType::vendor_id);  // claims a payload follows
  auto parsed = parse_message(b);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, WireErrorCode::truncated);
  EXPECT_EQ(parsed.error().payload, PayloadType::vendor_id);
}

TEST(WireMalformed, CriticalUnknownPayloadIsRefusedWithItsType) {
  Bytes b = wire_of({NoncePayload{Bytes(16, 1)}, RawPayload{static_cast<PayloadType>(99), true, {1}}});
  auto parsed = parse_message(b);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, WireErrorCode::unsupported_critical_payload);
  EXPECT_EQ(parsed.error().payload, static_cast<PayloadType>(99));
  EXPECT_EQ(parsed.error().offset, kHeaderSize + 4 + 16);
}

TEST(WireMalformed, EncryptedFragmentsAreUnexpected) {
  Bytes b = wire_of({RawPayload{PayloadType::skf, false, {0, 1, 0, 1, 9, 9}}});
  EXPECT_EQ(error_of(b), WireErrorCode::unexpected_payload);
}

TEST(WireMalformed, BytesAfterTheSkPayloadAreRefused) {
  Bytes b = wire_of({EncryptedPayload{PayloadType::notify, Bytes(32, 1)}});
  // Shrink SK's length by 4 so its last 4 bytes look like a payload after it.
  set_u16(b, kHeaderSize + 2, 4 + 28);
  EXPECT_EQ(error_of(b), WireErrorCode::trailing_data);
}

// SA payloads: a valid one, then each structural field broken.
Bytes sa_wire() {
  Proposal p;
  p.number = 1;
  p.protocol = ProtocolId::esp;
  p.spi = {1, 2, 3, 4};
  p.transforms = {encr_transform(Cipher::aes128), integ_transform(Integrity::sha1),
                  esn_transform(false)};
  return wire_of({SaPayload{{p, p}}});
}
// Offsets in sa_wire(): SA body at 32; proposal 1 at 32 (12 + 12 + 8 + 8 = 40 bytes).
constexpr size_t kProposal1 = kHeaderSize + 4;
constexpr size_t kTransform1 = kProposal1 + 12;
constexpr size_t kProposal2 = kProposal1 + 40;

TEST(WireMalformed, SaSubstructureErrors) {
  const Bytes wire = sa_wire();
  ASSERT_TRUE(parse_message(wire).ok());
  Bytes b = wire;
  b[kProposal1] = 0;  // "last" on the first of two proposals
  EXPECT_EQ(error_of(b), WireErrorCode::bad_substructure);
  b = wire;
  b[kProposal2] = 2;  // "more" on the last proposal
  EXPECT_EQ(error_of(b), WireErrorCode::bad_substructure);
  b = wire;
  b[kProposal1] = 7;  // not a substructure type
  EXPECT_EQ(error_of(b), WireErrorCode::bad_substructure);
  b = wire;
  b[kProposal1 + 7] = 4;  // transform count says 4, there are 3
  EXPECT_EQ(error_of(b), WireErrorCode::bad_substructure);
  b = wire;
  b[kTransform1] = 0;  // first transform claims to be the last
  EXPECT_EQ(error_of(b), WireErrorCode::bad_substructure);
  b = wire;
  set_u16(b, kProposal1 + 2, 7);  // proposal shorter than its header
  EXPECT_EQ(error_of(b), WireErrorCode::bad_length);
  b = wire;
  set_u16(b, kProposal1 + 2, 200);  // proposal longer than the SA payload
  EXPECT_EQ(error_of(b), WireErrorCode::truncated);
  b = wire;
  b[kProposal1 + 6] = 60;  // SPI size beyond the proposal
  EXPECT_EQ(error_of(b), WireErrorCode::bad_length);
  b = wire;
  set_u16(b, kTransform1 + 2, 4);  // transform shorter than its header
  EXPECT_EQ(error_of(b), WireErrorCode::bad_length);
  b = wire;
  set_u16(b, kTransform1 + 2, 100);  // transform longer than its proposal
  EXPECT_EQ(error_of(b), WireErrorCode::truncated);
  b = wire;
  set_u16(b, kTransform1 + 8, 0x000E);  // key length in TLV form
  set_u16(b, kTransform1 + 10, 50);     // ... with a length beyond the transform
  EXPECT_EQ(error_of(b), WireErrorCode::truncated);
}

TEST(WireMalformed, SaWithoutProposalsIsRefused) {
  Bytes b = wire_of({RawPayload{PayloadType::sa, false, {}}});
  EXPECT_EQ(error_of(b), WireErrorCode::bad_substructure);
}

TEST(WireMalformed, KeyLengthGivenTwiceIsRefused) {
  Transform t = encr_transform(Cipher::aes128);
  t.other_attributes.push_back({14, true, {0, 128}});
  Proposal p;
  p.transforms = {t};
  EXPECT_EQ(error_of(wire_of({SaPayload{{p}}})), WireErrorCode::bad_value);
}

TEST(WireMalformed, FixedSizeBodiesCheckTheirLengths) {
  // Bodies shorter than their fixed part, via RawPayload of the real type.
  for (PayloadType t : {PayloadType::ke, PayloadType::idi, PayloadType::auth, PayloadType::notify,
                        PayloadType::del, PayloadType::tsi}) {
    Bytes b = wire_of({RawPayload{t, false, {0, 0, 0}}});
    EXPECT_EQ(error_of(b), WireErrorCode::bad_length) << name_of(t);
  }
  // ID_IPV4_ADDR with 5 bytes of address.
  EXPECT_EQ(error_of(wire_of({IdPayload{PayloadType::idi, IdType::ipv4_addr, {1, 2, 3, 4, 5}}})),
            WireErrorCode::bad_length);
  // Notify whose SPI size runs past its body.
  EXPECT_EQ(error_of(wire_of({RawPayload{PayloadType::notify, false, {3, 4, 0x40, 0x00, 1}}})),
            WireErrorCode::bad_length);
  // Delete whose count disagrees with the SPIs present.
  EXPECT_EQ(error_of(wire_of({RawPayload{PayloadType::del, false, {3, 4, 0, 2, 1, 2, 3, 4}}})),
            WireErrorCode::bad_length);
}

TEST(WireMalformed, TrafficSelectorErrors) {
  TsPayload ts{PayloadType::tsi, {TrafficSelector::ipv4(*Cidr::parse("10.0.0.0/8"))}};
  const Bytes wire = wire_of({ts});
  const size_t selector = kHeaderSize + 8;
  Bytes b = wire;
  b[kHeaderSize + 4] = 2;  // two selectors announced, one present
  EXPECT_EQ(error_of(b), WireErrorCode::truncated);
  b = wire;
  b[kHeaderSize + 4] = 0;  // none announced, one present
  EXPECT_EQ(error_of(b), WireErrorCode::trailing_data);
  b = wire;
  set_u16(b, selector + 2, 20);  // IPv4 selectors are 16 bytes
  EXPECT_EQ(error_of(b), WireErrorCode::bad_length);
  b = wire;
  b[selector] = 9;  // a TS type we do not parse
  EXPECT_EQ(error_of(b), WireErrorCode::bad_value);
}

// A deterministic fuzz loop: valid messages mutated at random must parse or
// fail cleanly, and whatever parses must serialize and parse to itself.
TEST(WireMalformed, MutatedMessagesNeverCrash) {
  const std::vector<Bytes> seeds = {serialize_message(every_payload_message()),
                                    serialize_message(encrypted_message()), sa_wire()};
  std::mt19937 rng(20240611);
  size_t parsed_ok = 0;
  for (int iteration = 0; iteration < 30000; ++iteration) {
    Bytes b = seeds[rng() % seeds.size()];
    const int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations && !b.empty(); ++m) {
      const size_t at = rng() % b.size();
      switch (rng() % 5) {
        case 0: b[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 1: b[at] = static_cast<uint8_t>(rng()); break;
        case 2: b.insert(b.begin() + static_cast<ptrdiff_t>(at), static_cast<uint8_t>(rng())); break;
        case 3: b.erase(b.begin() + static_cast<ptrdiff_t>(at)); break;
        case 4: b.resize(at); break;
      }
    }
    if (rng() % 2) fix_length(b);
    auto parsed = parse_message(b);
    if (!parsed) {
      EXPECT_LE(parsed.error().offset, b.size());
      continue;
    }
    ++parsed_ok;
    auto again = parse_message(serialize_message(*parsed));
    ASSERT_TRUE(again.ok()) << again.error().describe();
    // Raw payloads may lose a critical bit that known types ignore; compare payloads.
    EXPECT_EQ(again->payloads.size(), parsed->payloads.size());
  }
  // Some mutations (payload bodies, SPIs) keep the message valid; the loop
  // must have exercised both outcomes.
  EXPECT_GT(parsed_ok, 100u);
}

TEST(WireMalformed, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  for (int iteration = 0; iteration < 20000; ++iteration) {
    Bytes b(rng() % 200);
    for (uint8_t& x : b) x = static_cast<uint8_t>(rng());
    if (b.size() >= kHeaderSize) {
      b[17] = 0x20;  // get past the version check
      if (rng() % 2) fix_length(b);
    }
    auto parsed = parse_message(b);
    if (!parsed) {
      EXPECT_LE(parsed.error().offset, b.size());
    }
  }
}

}  // namespace
}  // namespace vpngw::ike::test
