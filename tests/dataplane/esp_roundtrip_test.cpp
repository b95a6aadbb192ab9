// Encapsulation then decapsulation for every cipher x integrity suite, with
// and without UDP encapsulation and ESN, at sizes around every padding
// boundary; each ESP packet is also opened by the OpenSSL reference, so the
// wire format is checked independently of our own decap.
#include <gtest/gtest.h>

#include <tuple>

#include "tests/dataplane/esp_fixture.hpp"
#include "tests/dataplane/ref_esp.hpp"

namespace vpngw::dataplane::test {
namespace {

// Sizes hit every remainder modulo 16 near the small end, plus the
// benchmark sizes and a full Ethernet MTU.
const std::vector<uint16_t> kSizes{28, 29, 30, 31, 32, 33, 34,  35,  36,   37,   38,
                                   39, 40, 41, 42, 43, 64, 100, 512, 1419, 1420, 1500};

using Params = std::tuple<Suite, bool /*udp*/, bool /*esn*/>;

class EspRoundTrip : public EspFixture, public ::testing::TestWithParam<Params> {};

uint16_t be16(const Bytes& b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }
uint32_t be32(const Bytes& b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}

TEST_P(EspRoundTrip, EveryPacketComesBackExactlyAndTheWireFormatIsRight) {
  const auto& [suite, udp, esn] = GetParam();
  SaOptions opt;
  opt.udp = udp;
  opt.esn = esn;
  // With ESN, start just below 2^32 so the burst crosses into high half 1.
  opt.start_seq = esn ? 0xFFFFFFF0u : 0;
  SaPair sa = pair(suite, opt);
  ASSERT_TRUE(sa.out && sa.in);

  std::vector<Bytes> inner;
  std::vector<rte_mbuf*> pkts;
  std::vector<OutboundSa*> out_sas;
  uint64_t inner_bytes = 0;
  for (size_t k = 0; k < kSizes.size(); ++k) {
    inner.push_back(make_inner_packet(kLocalHost, kRemoteHost, kSizes[k], static_cast<uint32_t>(k),
                                      static_cast<uint8_t>(k * 4 + 1), k % 2 == 0));
    pkts.push_back(mbufs_.make(inner.back()));
    out_sas.push_back(sa.out.get());
    inner_bytes += kSizes[k];
  }
  std::vector<DropReason> why(pkts.size());
  const uint16_t n = static_cast<uint16_t>(pkts.size());
  ASSERT_EQ(esp_encap_burst(*ctx_, pkts.data(), out_sas.data(), n, why.data()), n);
  EXPECT_EQ(sa.out->usage.packets.get(), n);
  EXPECT_EQ(sa.out->usage.bytes.get(), inner_bytes);

  const EspCipherInfo& c = info_of(suite.cipher);
  const size_t icv_len = c.aead ? kGcmIcvLen : info_of(suite.integrity).icv_len;
  const size_t outer_len = udp ? 28 : 20;
  for (size_t k = 0; k < pkts.size(); ++k) {
    SCOPED_TRACE("inner size " + std::to_string(kSizes[k]));
    const Bytes wire = bytes_of(pkts[k]);
    const uint64_t seq = opt.start_seq + 1 + k;
    // Outer IPv4: length, TTL, protocol, addresses, checksum, TOS and DF
    // copied from the inner header.
    ASSERT_EQ(be16(wire, 2), wire.size());
    EXPECT_EQ(wire[0], 0x45);
    EXPECT_EQ(wire[1], inner[k][1]);
    EXPECT_EQ(wire[6] & 0x40, inner[k][6] & 0x40);
    EXPECT_EQ(wire[8], 64);
    EXPECT_EQ(wire[9], udp ? 17 : 50);
    EXPECT_EQ(be32(wire, 12), kOurPublic);
    EXPECT_EQ(be32(wire, 16), kPeerPublic);
    EXPECT_EQ(ipv4_checksum({wire.data(), 20}), 0);
    if (udp) {
      EXPECT_EQ(be16(wire, 20), 4500);
      EXPECT_EQ(be16(wire, 22), 4500);
      EXPECT_EQ(be16(wire, 24), wire.size() - 20);
      EXPECT_EQ(be16(wire, 26), 0);
    }
    EXPECT_EQ(be32(wire, outer_len), sa.out_params.spi);
    EXPECT_EQ(be32(wire, outer_len + 4), static_cast<uint32_t>(seq));
    // The encrypted part is whole blocks, and 4-byte aligned (RFC 4303 §2.4).
    const size_t encrypted = wire.size() - outer_len - 8 - c.iv_len - icv_len;
    EXPECT_EQ(encrypted % c.block_len, 0u);
    EXPECT_EQ(encrypted % 4, 0u);
    EXPECT_LT(encrypted - inner[k].size() - 2, c.block_len) << "minimal padding";

    // The independent reader agrees: ICV (with the ESN high half), payload,
    // padding 1, 2, 3, ..., next header 4.
    const auto opened = ref_open(sa.out_params, wire, static_cast<uint32_t>(seq >> 32));
    ASSERT_TRUE(opened.has_value());
    EXPECT_TRUE(opened->icv_ok);
    EXPECT_EQ(opened->payload(), inner[k]);
    EXPECT_EQ(opened->next_header(), 4);
    for (size_t j = 0; j < opened->pad_length(); ++j)
      EXPECT_EQ(opened->plaintext[inner[k].size() + j], j + 1);
  }

  std::vector<InboundSa*> in_sas(pkts.size(), sa.in.get());
  ASSERT_EQ(esp_decap_burst(*ctx_, pkts.data(), in_sas.data(), n, why.data()), n);
  for (size_t k = 0; k < pkts.size(); ++k) EXPECT_EQ(bytes_of(pkts[k]), inner[k]) << k;
  EXPECT_EQ(sa.in->usage.packets.get(), n);
  EXPECT_EQ(sa.in->usage.bytes.get(), inner_bytes);
  EXPECT_EQ(sa.in->replay.top(), opt.start_seq + n);
}

std::string case_name(const ::testing::TestParamInfo<Params>& info) {
  const Suite& suite = std::get<0>(info.param);
  return suite.name() + (std::get<1>(info.param) ? "_udp" : "") +
         (std::get<2>(info.param) ? "_esn" : "");
}

INSTANTIATE_TEST_SUITE_P(AllSuites, EspRoundTrip,
                         ::testing::Combine(::testing::ValuesIn(all_suites()), ::testing::Bool(),
                                            ::testing::Bool()),
                         case_name);

}  // namespace
}  // namespace vpngw::dataplane::test
