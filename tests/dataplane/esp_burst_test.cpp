// The burst contracts: good packets first and in order, drops after them
// with their reasons; several SAs in one burst; bursts larger than
// kMaxBurst; streaming submit/flush; duplicates inside one batch.
#include <gtest/gtest.h>

#include <map>

#include "tests/dataplane/esp_fixture.hpp"

namespace vpngw::dataplane::test {
namespace {

class EspBursts : public EspFixture, public ::testing::Test {};

uint32_t seq_of(const Bytes& wire) {
  return uint32_t{wire[24]} << 24 | uint32_t{wire[25]} << 16 | uint32_t{wire[26]} << 8 | wire[27];
}

TEST_F(EspBursts, GoodFirstInOrderThenDropsWithReasonsAcrossChunks) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.out && sa.in);
  // 150 packets (three chunks of at most 64), every 7th malformed.
  const uint16_t n = 150;
  std::vector<rte_mbuf*> pkts;
  std::vector<Bytes> inner;
  std::vector<rte_mbuf*> bad_expected;
  for (uint16_t k = 0; k < n; ++k) {
    Bytes p = inner_packet(static_cast<uint16_t>(60 + k), k);
    if (k % 7 == 3) p[0] = 0x60;  // not IPv4
    pkts.push_back(mbufs_.make(p));
    if (k % 7 == 3) {
      bad_expected.push_back(pkts.back());
    } else {
      inner.push_back(p);
    }
  }
  std::vector<OutboundSa*> sas(n, sa.out.get());
  std::vector<DropReason> why(n);
  const uint16_t good = esp_encap_burst(*ctx_, pkts.data(), sas.data(), n, why.data());
  ASSERT_EQ(good, inner.size());
  for (uint16_t k = 0; k < good; ++k) EXPECT_EQ(seq_of(bytes_of(pkts[k])), k + 1u) << "order kept";
  for (size_t k = 0; k < bad_expected.size(); ++k) {
    EXPECT_EQ(pkts[good + k], bad_expected[k]) << "drops keep their order";
    EXPECT_EQ(why[good + k], DropReason::malformed);
  }

  std::vector<InboundSa*> in_sas(good, sa.in.get());
  ASSERT_EQ(esp_decap_burst(*ctx_, pkts.data(), in_sas.data(), good, why.data()), good);
  for (uint16_t k = 0; k < good; ++k) EXPECT_EQ(bytes_of(pkts[k]), inner[k]);
}

TEST_F(EspBursts, SeveralSasInOneBurstKeepTheirOwnSequenceNumbers) {
  std::vector<SaPair> sas;
  const std::vector<Suite> suites{kAesCbcSha1, kAesGcm256, k3desMd5};
  for (size_t k = 0; k < suites.size(); ++k) {
    SaOptions opt;
    opt.spi = 0x1000 + static_cast<uint32_t>(k);
    opt.key_seed = static_cast<uint8_t>(k * 3);
    sas.push_back(pair(suites[k], opt));
    ASSERT_TRUE(sas.back().out && sas.back().in);
  }
  const uint16_t n = 30;
  std::vector<rte_mbuf*> pkts;
  std::vector<OutboundSa*> out;
  std::vector<InboundSa*> in;
  std::vector<Bytes> inner;
  for (uint16_t k = 0; k < n; ++k) {
    const size_t which = (k * k) % 3;  // an irregular interleaving
    inner.push_back(inner_packet(static_cast<uint16_t>(64 + 13 * k), k));
    pkts.push_back(mbufs_.make(inner.back()));
    out.push_back(sas[which].out.get());
    in.push_back(sas[which].in.get());
  }
  std::vector<DropReason> why(n);
  ASSERT_EQ(esp_encap_burst(*ctx_, pkts.data(), out.data(), n, why.data()), n);
  std::map<OutboundSa*, uint32_t> next;
  for (uint16_t k = 0; k < n; ++k) EXPECT_EQ(seq_of(bytes_of(pkts[k])), ++next[out[k]]);
  ASSERT_EQ(esp_decap_burst(*ctx_, pkts.data(), in.data(), n, why.data()), n);
  for (uint16_t k = 0; k < n; ++k) EXPECT_EQ(bytes_of(pkts[k]), inner[k]);
}

// A copy of a packet inside the same batch passes the pre-check with its
// original (neither is in the window yet); the re-check after the ICV
// must catch it.
TEST_F(EspBursts, ADuplicateInsideOneBatchIsCaughtAfterAuthentication) {
  for (const Suite& suite : {kAesCbcSha1, kAesGcm256}) {
    SaPair sa = pair(suite);
    ASSERT_TRUE(sa.out && sa.in);
    const Bytes wire = sealed(*sa.out, inner_packet(64));
    rte_mbuf* pkts[3] = {mbufs_.make(wire), mbufs_.make(wire), mbufs_.make(wire)};
    rte_mbuf* first = pkts[0];
    InboundSa* sas[3] = {sa.in.get(), sa.in.get(), sa.in.get()};
    DropReason why[3]{};
    ASSERT_EQ(esp_decap_burst(*ctx_, pkts, sas, 3, why), 1);
    EXPECT_EQ(pkts[0], first);
    EXPECT_EQ(why[1], DropReason::replay);
    EXPECT_EQ(why[2], DropReason::replay);
  }
}

TEST_F(EspBursts, StreamingKeepsJobsInFlightAcrossCallsAndLosesNothing) {
  for (const Suite& suite :
       {kAesCbcSha1, kAesGcm256, Suite{EspCipher::aes256_cbc, EspIntegrity::hmac_sha256_128}}) {
    SCOPED_TRACE(suite.name());
    SaPair sa = pair(suite);
    ASSERT_TRUE(sa.out && sa.in);
    std::vector<Bytes> inner;
    std::vector<rte_mbuf*> sent;
    std::vector<rte_mbuf*> finished;
    auto collect = [&finished](const FinishedBurst& f) {
      EXPECT_EQ(f.n, f.n_good) << "nothing should be dropped";
      finished.insert(finished.end(), f.pkts, f.pkts + f.n_good);
    };
    uint32_t max_in_flight = 0;
    for (int burst = 0; burst < 12; ++burst) {
      std::vector<rte_mbuf*> pkts;
      for (int k = 0; k < 32; ++k) {
        inner.push_back(inner_packet(static_cast<uint16_t>(64 + burst * 32 + k), burst * 32 + k));
        pkts.push_back(mbufs_.make(inner.back()));
        sent.push_back(pkts.back());
      }
      std::vector<OutboundSa*> sas(pkts.size(), sa.out.get());
      collect(esp_encap_submit(*ctx_, pkts.data(), sas.data(), static_cast<uint16_t>(pkts.size())));
      max_in_flight = std::max(max_in_flight, ctx_->outbound().in_flight());
      EXPECT_LE(ctx_->outbound().in_flight(), kMaxInFlight);
    }
    collect(esp_encap_flush(*ctx_));
    EXPECT_EQ(ctx_->outbound().in_flight(), 0u);
    ASSERT_EQ(finished, sent) << "every packet once, in submission order";
    RecordProperty("max_in_flight_" + suite.name(), static_cast<int>(max_in_flight));

    // Decap the same way, in bursts of 20.
    std::vector<rte_mbuf*> plain;
    for (size_t off = 0; off < finished.size(); off += 20) {
      const uint16_t len = static_cast<uint16_t>(std::min<size_t>(20, finished.size() - off));
      std::vector<InboundSa*> sas(len, sa.in.get());
      const FinishedBurst f = esp_decap_submit(*ctx_, finished.data() + off, sas.data(), len);
      EXPECT_EQ(f.n, f.n_good);
      plain.insert(plain.end(), f.pkts, f.pkts + f.n_good);
    }
    const FinishedBurst rest = esp_decap_flush(*ctx_);
    plain.insert(plain.end(), rest.pkts, rest.pkts + rest.n_good);
    ASSERT_EQ(plain.size(), inner.size());
    for (size_t k = 0; k < plain.size(); ++k) EXPECT_EQ(bytes_of(plain[k]), inner[k]);
  }
}

// The fixture validates every job; production submits unchecked. Same
// results expected, for every suite, both modes.
TEST_F(EspBursts, UncheckedSubmitAsInProductionGivesTheSameResults) {
  std::string error;
  auto production = CryptoCtx::create({}, &error);
  ASSERT_TRUE(production) << error;
  for (const Suite& suite : all_suites()) {
    SCOPED_TRACE(suite.name());
    SaPair sa = pair(suite);
    ASSERT_TRUE(sa.out && sa.in);
    const uint16_t n = 40;
    std::vector<Bytes> inner;
    std::vector<rte_mbuf*> pkts;
    for (uint16_t k = 0; k < n; ++k) {
      inner.push_back(inner_packet(static_cast<uint16_t>(40 + 31 * k), k));
      pkts.push_back(mbufs_.make(inner.back()));
    }
    std::vector<OutboundSa*> out(n, sa.out.get());
    std::vector<InboundSa*> in(n, sa.in.get());
    std::vector<DropReason> why(n);
    ASSERT_EQ(esp_encap_burst(*production, pkts.data(), out.data(), n, why.data()), n);
    ASSERT_EQ(esp_decap_burst(*production, pkts.data(), in.data(), n, why.data()), n);
    for (uint16_t k = 0; k < n; ++k) EXPECT_EQ(bytes_of(pkts[k]), inner[k]);
  }
}

TEST_F(EspBursts, StreamingHandsBackDropsAtOnce) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.out);
  Bytes bad = inner_packet(64);
  bad[0] = 0x55;
  rte_mbuf* pkts[2] = {mbufs_.make(inner_packet(64)), mbufs_.make(bad)};
  OutboundSa* sas[2] = {sa.out.get(), sa.out.get()};
  const FinishedBurst f = esp_encap_submit(*ctx_, pkts, sas, 2);
  ASSERT_GE(f.n, 1);
  EXPECT_EQ(f.pkts[f.n - 1], pkts[1]);
  EXPECT_EQ(f.why[f.n - 1], DropReason::malformed);
  const FinishedBurst rest = esp_encap_flush(*ctx_);
  EXPECT_EQ(f.n_good + rest.n_good, 1);
}

}  // namespace
}  // namespace vpngw::dataplane::test
