// The codec's round trips and exact wire bytes (RFC 7296 §3).
#include <gtest/gtest.h>

#include "ike/sa/transform_ids.hpp"
#include "ike/wire/message.hpp"
#include "tests/ike/oracle.hpp"
#include "tests/ike/sample_messages.hpp"

namespace vpngw::ike::test {
namespace {

// A parsed message carries the header's computed fields; the rest must be
// what was serialized.
void expect_round_trip(const Message& m) {
  Bytes wire = serialize_message(m);
  auto parsed = parse_message(wire);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->header.length, wire.size());
  Message expected = m;
  expected.header.length = static_cast<uint32_t>(wire.size());
  expected.header.next_payload = m.payloads.empty() ? PayloadType::none : payload_type(m.payloads[0]);
  EXPECT_EQ(*parsed, expected);
  EXPECT_EQ(serialize_message(*parsed), wire);  // and back to the same bytes
}

TEST(WireCodec, HeaderBytesFollowRfc7296Section3_1) {
  Message m;
  m.header.spi_i = 0x0102030405060708ull;
  m.header.spi_r = 0x1112131415161718ull;
  m.header.exchange = ExchangeType::create_child_sa;
  m.header.initiator = true;
  m.header.response = true;
  m.header.message_id = 0xA1B2C3D4;
  Bytes wire = serialize_message(m);
  Bytes expected = {1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                    0,     // next payload: none
                    0x20,  // version 2.0
                    36,    // CREATE_CHILD_SA
                    0x28,  // I | R
                    0xA1, 0xB2, 0xC3, 0xD4, 0, 0, 0, 28};
  EXPECT_EQ(wire, expected);
}

TEST(WireCodec, HeaderFlagsRoundTripIndependently) {
  for (int bits = 0; bits < 8; ++bits) {
    Message m;
    m.header.initiator = bits & 1;
    m.header.response = bits & 2;
    m.header.higher_version = bits & 4;
    expect_round_trip(m);
  }
}

TEST(WireCodec, ReservedHeaderFlagBitsAreIgnoredOnReceipt) {
  Message m;
  m.header.initiator = true;
  Bytes wire = serialize_message(m);
  wire[19] |= 0x07 | 0xC0;  // every reserved bit
  auto parsed = parse_message(wire);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->header.initiator);
  EXPECT_FALSE(parsed->header.response);
  EXPECT_FALSE(parsed->header.higher_version);
}

TEST(WireCodec, MinorVersionIsKeptAndNotRejected) {
  Message m;
  m.header.minor_version = 3;
  expect_round_trip(m);
}

TEST(WireCodec, SaPayloadBytesWithKeyLengthAttribute) {
  Proposal p;
  p.number = 1;
  p.protocol = ProtocolId::ike;
  p.transforms = {encr_transform(Cipher::aes256), dh_transform(DhGroup::modp2048)};
  Bytes body = serialize_payloads(std::vector<Payload>{SaPayload{{p}}});
  Bytes expected = {
      0, 0, 0, 32,                // generic header: no next payload, length 32
      0, 0, 0, 28, 1, 1, 0, 2,    // proposal: last, length 28, #1, IKE, SPI size 0, 2 transforms
      3, 0, 0, 12, 1, 0, 0, 12,   // transform: more follow, length 12, ENCR, AES-CBC
      0x80, 14, 0x01, 0x00,       // Key Length attribute (TV form) = 256
      0, 0, 0, 8, 4, 0, 0, 14,    // transform: last, length 8, DH, group 14
  };
  EXPECT_EQ(body, expected);
}

TEST(WireCodec, EveryPayloadTypeRoundTrips) {
  Message m = every_payload_message();
  expect_round_trip(m);
  // And each payload alone, so a failure names the payload.
  for (const Payload& p : m.payloads) {
    SCOPED_TRACE(name_of(payload_type(p)));
    Message single;
    single.header = m.header;
    single.payloads = {p};
    expect_round_trip(single);
  }
}

TEST(WireCodec, EncryptedPayloadEndsTheChainAndKeepsItsInnerType) {
  Message m = every_payload_message();
  m.payloads.resize(2);
  m.payloads.push_back(EncryptedPayload{PayloadType::idi, Bytes(48, 0xEE)});
  Bytes wire = serialize_message(m);
  // The SK header's next payload field names the first inner payload.
  size_t sk_at = wire.size() - 48 - 4;
  EXPECT_EQ(wire[sk_at], static_cast<uint8_t>(PayloadType::idi));
  expect_round_trip(m);
}

TEST(WireCodec, UnknownNonCriticalPayloadIsKeptRawAndSkipped) {
  Message m;
  m.payloads.push_back(NoncePayload{Bytes(16, 1)});
  m.payloads.push_back(RawPayload{static_cast<PayloadType>(200), false, {9, 9, 9}});
  m.payloads.push_back(VendorIdPayload{{1, 2}});
  expect_round_trip(m);
  auto parsed = parse_message(serialize_message(m));
  ASSERT_TRUE(parsed.ok());
  EXPECT_NE(parsed->find<VendorIdPayload>(), nullptr);  // the chain went on past it
}

TEST(WireCodec, KnownButUninterpretedPayloadsIgnoreTheCriticalBit) {
  for (PayloadType t : {PayloadType::cert, PayloadType::certreq, PayloadType::cp, PayloadType::eap}) {
    Message m;
    m.payloads.push_back(RawPayload{t, true, {4, 5, 6}});
    auto parsed = parse_message(serialize_message(m));
    ASSERT_TRUE(parsed.ok()) << name_of(t);
    ASSERT_NE(parsed->find<RawPayload>(), nullptr);
    EXPECT_EQ(parsed->find<RawPayload>()->type, t);
  }
}

TEST(WireCodec, TransformAttributesOtherThanKeyLengthSurvive) {
  Transform t = encr_transform(Cipher::aes128);
  t.other_attributes.push_back({17, true, {0x12, 0x34}});
  t.other_attributes.push_back({300, false, {1, 2, 3, 4, 5}});
  Proposal p;
  p.transforms = {t};
  Message m;
  m.payloads.push_back(SaPayload{{p}});
  expect_round_trip(m);
}

TEST(WireCodec, DeleteOfTheIkeSaHasNoSpis) {
  Message m;
  m.payloads.push_back(DeletePayload{ProtocolId::ike, 0, {}});
  Bytes wire = serialize_message(m);
  EXPECT_EQ(wire.size(), kHeaderSize + 8);
  expect_round_trip(m);
}

TEST(WireCodec, Ipv6TrafficSelectorsRoundTrip) {
  TrafficSelector v6;
  v6.type = TsType::ipv6_addr_range;
  v6.start_address = Bytes(16, 0);
  v6.end_address = Bytes(16, 0xFF);
  Message m;
  m.payloads.push_back(TsPayload{PayloadType::tsr, {v6}});
  expect_round_trip(m);
}

TEST(WireCodec, TrafficSelectorHelpersCoverTheCidr) {
  TrafficSelector ts = TrafficSelector::ipv4(*Cidr::parse("10.1.2.0/23"), 6, 80, 90);
  EXPECT_EQ(ts.ipv4_start()->str(), "10.1.2.0");
  EXPECT_EQ(ts.ipv4_end()->str(), "10.1.3.255");
  EXPECT_EQ(ts.ip_protocol, 6);
  EXPECT_EQ(ts.start_port, 80);
  EXPECT_EQ(ts.end_port, 90);
}

TEST(WireCodec, FindHelpersPickTheRightPayload) {
  Message m = every_payload_message();
  ASSERT_NE(m.find_id(PayloadType::idr), nullptr);
  EXPECT_EQ(m.find_id(PayloadType::idr)->id_type, IdType::fqdn);
  ASSERT_NE(m.find_ts(PayloadType::tsr), nullptr);
  EXPECT_EQ(m.find_ts(PayloadType::tsr)->selectors.size(), 1u);
  ASSERT_NE(m.find_notify(NotifyType::rekey_sa), nullptr);
  EXPECT_EQ(m.find_notify(NotifyType::rekey_sa)->spi, (Bytes{0xAA, 0xBB, 0xCC, 0xDD}));
  EXPECT_EQ(m.find_notify(NotifyType::cookie), nullptr);
  EXPECT_EQ(m.notifies().size(), 3u);
}

TEST(WireCodec, NamesForLogs) {
  EXPECT_EQ(name_of(NotifyType::no_proposal_chosen), "NO_PROPOSAL_CHOSEN");
  EXPECT_EQ(name_of(static_cast<NotifyType>(40000)), "NOTIFY_40000");
  EXPECT_EQ(name_of(ExchangeType::ike_auth), "IKE_AUTH");
  EXPECT_EQ(name_of(PayloadType::tsi), "TSi");
  EXPECT_TRUE(is_error(NotifyType::authentication_failed));
  EXPECT_FALSE(is_error(NotifyType::cookie));
  WireError e{WireErrorCode::truncated, 40, PayloadType::sa};
  EXPECT_EQ(e.describe(), "truncated in SA at byte 40");
}

}  // namespace
}  // namespace vpngw::ike::test
