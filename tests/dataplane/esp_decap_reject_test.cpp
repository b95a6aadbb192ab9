// Inbound packets that must be dropped, each for its own reason, and proof
// that a dropped packet changes nothing it must not (the replay window).
#include <gtest/gtest.h>

#include "tests/dataplane/esp_fixture.hpp"
#include "tests/dataplane/ref_esp.hpp"

namespace vpngw::dataplane::test {
namespace {

class EspTamper : public EspFixture, public ::testing::TestWithParam<Suite> {};

// Flipping any bit the ICV covers makes the packet fail authentication, and
// the forgeries do not use up the sequence number: the genuine packet is
// still accepted afterwards.
TEST_P(EspTamper, AnyFlippedBitInHeaderIvPayloadOrIcvFailsAuthentication) {
  SaPair sa = pair(GetParam());
  ASSERT_TRUE(sa.out && sa.in);
  const Bytes inner = inner_packet(200);
  const Bytes wire = sealed(*sa.out, inner);
  const EspCipherInfo& c = info_of(GetParam().cipher);
  const size_t esp = 20;
  const size_t iv = esp + 8;
  const size_t payload = iv + c.iv_len;
  const size_t icv_len = c.aead ? kGcmIcvLen : info_of(GetParam().integrity).icv_len;
  const size_t icv = wire.size() - icv_len;
  const std::vector<std::pair<std::string, size_t>> spots{
      {"sequence number", esp + 7},
      {"IV first byte", iv},
      {"IV last byte", payload - 1},
      {"payload first byte", payload},
      {"payload middle", (payload + icv) / 2},
      {"padding/trailer", icv - 1},
      {"ICV first byte", icv},
      {"ICV last byte", wire.size() - 1},
  };
  for (const auto& [what, at] : spots) {
    // Not bit 0: the sequence number 1 would become 0, refused before crypto.
    for (uint8_t bit : {uint8_t{0x02}, uint8_t{0x80}}) {
      Bytes forged = wire;
      forged[at] ^= bit;
      const Outcome o = decap(*sa.in, forged);
      EXPECT_FALSE(o.ok) << what;
      EXPECT_EQ(o.why, DropReason::auth_failed) << what << ": " << name_of(o.why);
    }
  }
  EXPECT_EQ(sa.in->usage.drops[index_of(DropReason::auth_failed)].get(), 2 * spots.size());
  EXPECT_EQ(sa.in->replay.top(), 0u) << "a forgery moved the replay window";
  const Outcome genuine = decap(*sa.in, wire);
  ASSERT_TRUE(genuine.ok) << name_of(genuine.why);
  EXPECT_EQ(bytes_of(genuine.m), inner);
}

TEST_P(EspTamper, AChangedSpiIsNotThisSa) {
  SaPair sa = pair(GetParam());
  ASSERT_TRUE(sa.out && sa.in);
  Bytes wire = sealed(*sa.out, inner_packet(100));
  wire[20 + 3] ^= 1;
  const Outcome o = decap(*sa.in, wire);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.why, DropReason::spi_mismatch);
}

INSTANTIATE_TEST_SUITE_P(AllSuites, EspTamper, ::testing::ValuesIn(all_suites()),
                         [](const ::testing::TestParamInfo<Suite>& info) {
                           return info.param.name();
                         });

class EspDecapRejects : public EspFixture, public ::testing::Test {
 protected:
  // An authentic packet from an independent sender, breaking one rule.
  Bytes forge(const SaParams& p, RefSealSpec spec) { return ref_seal(p, spec); }

  void expect_drop(InboundSa& sa, const Bytes& packet, DropReason want) {
    const Outcome o = decap(sa, packet);
    EXPECT_FALSE(o.ok) << "expected " << name_of(want);
    EXPECT_EQ(o.why, want) << "got " << name_of(o.why);
  }
};

TEST_F(EspDecapRejects, TruncatedPacketsAreMalformed) {
  for (const Suite& suite : {kAesCbcSha1, kAesGcm256}) {
    SaPair sa = pair(suite);
    ASSERT_TRUE(sa.out && sa.in);
    const Bytes wire = sealed(*sa.out, inner_packet(120));

    // Shorter than the IP header says (a cut-off frame).
    Bytes cut(wire.begin(), wire.end() - 1);
    expect_drop(*sa.in, cut, DropReason::malformed);

    // Consistent IP length, but the ESP part is not whole blocks / 4-byte units.
    Bytes short_esp(wire.begin(), wire.end() - 1);
    short_esp[2] = static_cast<uint8_t>(short_esp.size() >> 8);
    short_esp[3] = static_cast<uint8_t>(short_esp.size());
    set_ipv4_checksum(short_esp);
    expect_drop(*sa.in, short_esp, DropReason::malformed);

    // Too short to hold an ESP header, IV, one block and the ICV.
    Bytes header_only(wire.begin(), wire.begin() + 20 + 8 + 8);
    header_only[2] = 0;
    header_only[3] = static_cast<uint8_t>(header_only.size());
    set_ipv4_checksum(header_only);
    expect_drop(*sa.in, header_only, DropReason::malformed);

    // Not even an IPv4 header.
    expect_drop(*sa.in, Bytes(wire.begin(), wire.begin() + 12), DropReason::malformed);

    // Not ESP and not UDP.
    Bytes tcp = wire;
    tcp[9] = 6;
    set_ipv4_checksum(tcp);
    expect_drop(*sa.in, tcp, DropReason::malformed);
  }
}

TEST_F(EspDecapRejects, OuterFragmentsAreNotDecrypted) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.out && sa.in);
  const Bytes wire = sealed(*sa.out, inner_packet(100));
  for (uint16_t frag : {uint16_t{0x2000}, uint16_t{0x0010}, uint16_t{0x2010}}) {
    Bytes piece = wire;
    piece[6] = static_cast<uint8_t>(frag >> 8);
    piece[7] = static_cast<uint8_t>(frag);
    set_ipv4_checksum(piece);
    expect_drop(*sa.in, piece, DropReason::fragmented);
  }
  Bytes dont_fragment = wire;
  dont_fragment[6] = 0x40;
  set_ipv4_checksum(dont_fragment);
  EXPECT_TRUE(decap(*sa.in, dont_fragment).ok) << "DF is not a fragment";
}

TEST_F(EspDecapRejects, UdpLengthMustMatchTheIpLength) {
  SaOptions opt;
  opt.udp = true;
  SaPair sa = pair(kAesCbcSha1, opt);
  ASSERT_TRUE(sa.out && sa.in);
  Bytes wire = sealed(*sa.out, inner_packet(90));
  wire[25] = static_cast<uint8_t>(wire[25] - 4);
  expect_drop(*sa.in, wire, DropReason::malformed);
}

TEST_F(EspDecapRejects, ReplayedAndTooOldPacketsAreDroppedBeforeCrypto) {
  SaOptions opt;
  opt.replay_window = 1024;
  SaPair sa = pair(kAesCbcSha1, opt);
  ASSERT_TRUE(sa.in);
  const Bytes payload = inner_packet(80);
  auto at = [&](uint64_t seq) { return forge(sa.in_params, {.seq = seq, .payload = payload}); };

  ASSERT_TRUE(decap(*sa.in, at(1)).ok);
  expect_drop(*sa.in, at(1), DropReason::replay);
  ASSERT_TRUE(decap(*sa.in, at(2000)).ok);
  // 2000 - 1024 = 976 is the first number left of the window.
  expect_drop(*sa.in, at(976), DropReason::outside_window);
  EXPECT_TRUE(decap(*sa.in, at(977)).ok);
  EXPECT_TRUE(decap(*sa.in, at(1500)).ok) << "late but inside the window";
  expect_drop(*sa.in, at(1500), DropReason::replay);
  EXPECT_EQ(sa.in->usage.drops[index_of(DropReason::replay)].get(), 2u);
  EXPECT_EQ(sa.in->usage.drops[index_of(DropReason::outside_window)].get(), 1u);
  // A replay is refused before any crypto: auth failures stay at zero even
  // though the replayed packets were authentic.
  EXPECT_EQ(sa.in->usage.drops[index_of(DropReason::auth_failed)].get(), 0u);
}

TEST_F(EspDecapRejects, WithTheWindowOffReplaysPass) {
  SaOptions opt;
  opt.replay_window = 0;
  SaPair sa = pair(kAesGcm256, opt);
  ASSERT_TRUE(sa.in);
  const Bytes packet = forge(sa.in_params, {.seq = 7, .payload = inner_packet(64)});
  EXPECT_TRUE(decap(*sa.in, packet).ok);
  EXPECT_TRUE(decap(*sa.in, packet).ok);
}

TEST_F(EspDecapRejects, PaddingMustBeOneTwoThree) {
  for (const Suite& suite : {kAesCbcSha1, kAesGcm256, k3desMd5}) {
    SaPair sa = pair(suite);
    ASSERT_TRUE(sa.in);
    const uint8_t block = info_of(suite.cipher).block_len;
    const Bytes payload = inner_packet(64);  // 64 + 2 needs 14 (CBC-16), 6 (DES), 2 (GCM) pad bytes
    const size_t pad = (block - (payload.size() + 2) % block) % block;
    ASSERT_GT(pad, 1u);
    uint64_t seq = 1;

    Bytes wrong_byte;
    for (size_t k = 1; k <= pad; ++k) wrong_byte.push_back(static_cast<uint8_t>(k));
    wrong_byte[pad / 2] = 0xee;
    expect_drop(*sa.in,
                forge(sa.in_params, {.seq = seq++, .payload = payload, .padding = wrong_byte}),
                DropReason::bad_padding);

    Bytes zeros(pad, 0);
    expect_drop(*sa.in, forge(sa.in_params, {.seq = seq++, .payload = payload, .padding = zeros}),
                DropReason::bad_padding);

    // A pad length longer than the whole payload.
    expect_drop(*sa.in,
                forge(sa.in_params, {.seq = seq++, .payload = payload, .pad_length = uint8_t{250}}),
                DropReason::bad_padding);

    // A full extra block of correct padding is fine (RFC 4303 allows up to 255).
    Bytes longer;
    for (size_t k = 1; k <= pad + block; ++k) longer.push_back(static_cast<uint8_t>(k));
    const Outcome o =
        decap(*sa.in, forge(sa.in_params, {.seq = seq++, .payload = payload, .padding = longer}));
    ASSERT_TRUE(o.ok) << name_of(o.why);
    EXPECT_EQ(bytes_of(o.m), payload);
    // Authentic packets with bad padding still advanced the window: the
    // sender holds the key, so these are its packets, only badly formed.
    EXPECT_EQ(sa.in->replay.top(), seq - 1);
  }
}

TEST_F(EspDecapRejects, NextHeaderMustBeIpv4) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.in);
  const Bytes payload = inner_packet(64);
  expect_drop(*sa.in, forge(sa.in_params, {.seq = 1, .payload = payload, .next_header = 41}),
              DropReason::bad_next_header);
  expect_drop(*sa.in, forge(sa.in_params, {.seq = 2, .payload = payload, .next_header = 6}),
              DropReason::bad_next_header);
  expect_drop(*sa.in, forge(sa.in_params, {.seq = 3, .payload = payload, .next_header = 59}),
              DropReason::dummy_packet);
}

TEST_F(EspDecapRejects, InnerIpv4HeaderMustBeSane) {
  SaPair sa = pair(kAesGcm256);
  ASSERT_TRUE(sa.in);
  uint64_t seq = 1;
  auto send = [&](const Bytes& payload) {
    return forge(sa.in_params, {.seq = seq++, .payload = payload});
  };

  Bytes bad_checksum = inner_packet(64);
  bad_checksum[11] ^= 0x10;
  expect_drop(*sa.in, send(bad_checksum), DropReason::bad_inner_header);

  Bytes ipv6_version = inner_packet(64);
  ipv6_version[0] = 0x65;
  set_ipv4_checksum(ipv6_version);
  expect_drop(*sa.in, send(ipv6_version), DropReason::bad_inner_header);

  Bytes too_long = inner_packet(64);
  too_long[3] = 65;  // claims one byte more than was sent
  set_ipv4_checksum(too_long);
  expect_drop(*sa.in, send(too_long), DropReason::bad_inner_header);

  expect_drop(*sa.in, send(Bytes(12, 0x45)), DropReason::bad_inner_header);
}

TEST_F(EspDecapRejects, TrafficFlowConfidentialityPaddingIsStripped) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.in);
  const Bytes inner = inner_packet(70);
  Bytes with_tfc = inner;
  with_tfc.insert(with_tfc.end(), 33, 0xab);  // RFC 4303 §2.7: after the packet, before padding
  const Outcome o = decap(*sa.in, forge(sa.in_params, {.seq = 1, .payload = with_tfc}));
  ASSERT_TRUE(o.ok) << name_of(o.why);
  EXPECT_EQ(bytes_of(o.m), inner);
}

TEST_F(EspDecapRejects, InnerAddressesMustMatchTheSelectors) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.in);
  // Selectors: destination in 198.19.0.0/16, source in 203.0.113.0/24 or 198.18.0.0/16.
  const uint32_t outside = 0xC0000263;  // 192.0.2.99
  expect_drop(
      *sa.in,
      forge(sa.in_params, {.seq = 1, .payload = make_inner_packet(outside, kRemoteHost, 64, 1)}),
      DropReason::selector_mismatch);
  expect_drop(
      *sa.in,
      forge(sa.in_params, {.seq = 2, .payload = make_inner_packet(kLocalHost, outside, 64, 1)}),
      DropReason::selector_mismatch);
  // Swapped direction: the peer's own address as destination.
  expect_drop(
      *sa.in,
      forge(sa.in_params, {.seq = 3, .payload = make_inner_packet(kRemoteHost, kLocalHost, 64, 1)}),
      DropReason::selector_mismatch);
  // The other peer prefix (203.0.113.0/24) is accepted as a source too.
  EXPECT_TRUE(
      decap(*sa.in, forge(sa.in_params,
                          {.seq = 4, .payload = make_inner_packet(0xCB007163, kRemoteHost, 64, 1)}))
          .ok);
  EXPECT_EQ(sa.in->usage.drops[index_of(DropReason::selector_mismatch)].get(), 3u);
}

TEST_F(EspDecapRejects, HardLifetimeStopsTheSa) {
  SaOptions opt;
  opt.max_packets = 10;
  SaPair sa = pair(kAesGcm256, opt);
  ASSERT_TRUE(sa.in);
  const Bytes payload = inner_packet(64);
  for (uint64_t seq = 1; seq <= 8; ++seq)
    ASSERT_TRUE(decap(*sa.in, forge(sa.in_params, {.seq = seq, .payload = payload})).ok);
  EXPECT_EQ(sa.in->usage.events.load(), 0);
  ASSERT_TRUE(decap(*sa.in, forge(sa.in_params, {.seq = 9, .payload = payload})).ok);
  EXPECT_EQ(sa.in->usage.events.load(), kSaSoftLifetime) << "90 % of 10 packets";
  ASSERT_TRUE(decap(*sa.in, forge(sa.in_params, {.seq = 10, .payload = payload})).ok);
  EXPECT_EQ(sa.in->usage.events.load(), kSaSoftLifetime | kSaHardLifetime);
  expect_drop(*sa.in, forge(sa.in_params, {.seq = 11, .payload = payload}), DropReason::sa_expired);
}

TEST_F(EspDecapRejects, ChainedMbufsAreRefused) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.out && sa.in);
  const Bytes wire = sealed(*sa.out, inner_packet(100));
  rte_mbuf* head = mbufs_.make(Bytes(wire.begin(), wire.begin() + 40));
  rte_mbuf* tail = mbuf_from(Bytes(wire.begin() + 40, wire.end()));
  ASSERT_EQ(rte_pktmbuf_chain(head, tail), 0);  // head now owns tail
  InboundSa* sas[1] = {sa.in.get()};
  DropReason why[1]{};
  EXPECT_EQ(esp_decap_burst(*ctx_, &head, sas, 1, why), 0);
  EXPECT_EQ(why[0], DropReason::chained_mbuf);
}

}  // namespace
}  // namespace vpngw::dataplane::test
