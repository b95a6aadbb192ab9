// Outbound packets that cannot be sent, sequence-number exhaustion and
// lifetimes, and the IV rules.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "tests/dataplane/esp_fixture.hpp"
#include "tests/dataplane/test_env.hpp"

namespace vpngw::dataplane::test {
namespace {

class EspEncapRejects : public EspFixture, public ::testing::Test {
 protected:
  void expect_drop(OutboundSa& sa, const Bytes& inner, DropReason want) {
    const Outcome o = encap(sa, inner);
    EXPECT_FALSE(o.ok) << "expected " << name_of(want);
    EXPECT_EQ(o.why, want) << "got " << name_of(o.why);
    // A refused packet is handed back untouched.
    EXPECT_EQ(bytes_of(o.m), inner);
  }
};

TEST_F(EspEncapRejects, SequenceNumbersRunOutAt2To32Minus1WithoutEsn) {
  SaOptions opt;
  opt.start_seq = 0xFFFFFFFDu;
  SaPair sa = pair(kAesCbcSha1, opt);
  ASSERT_TRUE(sa.out && sa.in);
  const Bytes inner = inner_packet(60);
  for (int k = 0; k < 2; ++k) {
    const Outcome o = encap(*sa.out, inner);
    ASSERT_TRUE(o.ok);
    ASSERT_TRUE(decap(*sa.in, bytes_of(o.m)).ok);
  }
  EXPECT_EQ(sa.out->seq.load(), 0xFFFFFFFFu);
  EXPECT_EQ(sa.out->usage.events.load() & kSaSeqExhausted, 0);
  expect_drop(*sa.out, inner, DropReason::seq_overflow);
  EXPECT_NE(sa.out->usage.events.load() & kSaSeqExhausted, 0) << "the control plane must learn it";
  expect_drop(*sa.out, inner, DropReason::seq_overflow);
  EXPECT_EQ(sa.out->seq.load(), 0xFFFFFFFFu) << "the sequence number never wraps";
  EXPECT_EQ(sa.out->usage.drops[index_of(DropReason::seq_overflow)].get(), 2u);
}

TEST_F(EspEncapRejects, WithEsnTheSequenceContinuesPast2To32) {
  SaOptions opt;
  opt.esn = true;
  opt.start_seq = 0xFFFFFFFEu;
  SaPair sa = pair(kAesCbcSha1, opt);
  ASSERT_TRUE(sa.out && sa.in);
  for (int k = 0; k < 3; ++k) {
    const Outcome o = encap(*sa.out, inner_packet(60));
    ASSERT_TRUE(o.ok);
    EXPECT_TRUE(decap(*sa.in, bytes_of(o.m)).ok);
  }
  EXPECT_EQ(sa.out->seq.load(), 0x100000001u);
  EXPECT_EQ(sa.in->replay.top(), 0x100000001u);
}

TEST_F(EspEncapRejects, ByteLifetimeRaisesSoftThenHard) {
  SaOptions opt;
  opt.max_bytes = 1000;
  SaPair sa = pair(kAesGcm256, opt);
  ASSERT_TRUE(sa.out);
  const Bytes inner = inner_packet(300);
  ASSERT_TRUE(encap(*sa.out, inner).ok);  // 300
  ASSERT_TRUE(encap(*sa.out, inner).ok);  // 600
  ASSERT_TRUE(encap(*sa.out, inner).ok);  // 900: 90 %
  EXPECT_EQ(sa.out->usage.events.load(), kSaSoftLifetime);
  ASSERT_TRUE(encap(*sa.out, inner).ok);  // 1200: the packet that crosses the limit still goes
  EXPECT_EQ(sa.out->usage.events.load(), kSaSoftLifetime | kSaHardLifetime);
  expect_drop(*sa.out, inner, DropReason::sa_expired);
  EXPECT_EQ(sa.out->usage.bytes.get(), 1200u);
}

TEST_F(EspEncapRejects, MalformedInnerPackets) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.out);
  Bytes ipv6 = inner_packet(64);
  ipv6[0] = 0x60;
  expect_drop(*sa.out, ipv6, DropReason::malformed);
  Bytes longer_than_data = inner_packet(64);
  longer_than_data[3] = 100;
  expect_drop(*sa.out, longer_than_data, DropReason::malformed);
  expect_drop(*sa.out, Bytes(10, 0x45), DropReason::malformed);
  EXPECT_EQ(sa.out->seq.load(), 0u) << "refused packets take no sequence number";
}

TEST_F(EspEncapRejects, TrailingBytesAfterTheInnerPacketAreNotSent) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.out && sa.in);
  const Bytes inner = inner_packet(40);
  Bytes frame = inner;
  frame.resize(46, 0);  // Ethernet minimum-frame padding left by the RX stage
  const Outcome o = encap(*sa.out, frame);
  ASSERT_TRUE(o.ok);
  const Outcome back = decap(*sa.in, bytes_of(o.m));
  ASSERT_TRUE(back.ok);
  EXPECT_EQ(bytes_of(back.m), inner);
}

TEST_F(EspEncapRejects, NoHeadroomOrTailroom) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.out);
  const Bytes inner = inner_packet(100);
  rte_mbuf* m = mbufs_.add(rte_pktmbuf_alloc(test_pool()));
  m->data_off = 8;  // less than the 44 bytes of outer IPv4 + ESP + IV
  std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(inner.size())), inner.data(),
              inner.size());
  OutboundSa* sas[1] = {sa.out.get()};
  DropReason why[1]{};
  EXPECT_EQ(esp_encap_burst(*ctx_, &m, sas, 1, why), 0);
  EXPECT_EQ(why[0], DropReason::no_buffer_space);

  rte_mbuf* full = mbufs_.add(rte_pktmbuf_alloc(test_pool()));
  const uint16_t room = rte_pktmbuf_tailroom(full);
  Bytes big = inner_packet(room);
  std::memcpy(rte_pktmbuf_append(full, room), big.data(), big.size());
  EXPECT_EQ(esp_encap_burst(*ctx_, &full, sas, 1, why), 0);
  EXPECT_EQ(why[0], DropReason::no_buffer_space);
  EXPECT_EQ(sa.out->usage.drops[index_of(DropReason::no_buffer_space)].get(), 2u);
}

TEST_F(EspEncapRejects, ChainedMbufsAreRefused) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.out);
  const Bytes inner = inner_packet(100);
  rte_mbuf* head = mbufs_.make(Bytes(inner.begin(), inner.begin() + 50));
  ASSERT_EQ(rte_pktmbuf_chain(head, mbuf_from(Bytes(inner.begin() + 50, inner.end()))), 0);
  OutboundSa* sas[1] = {sa.out.get()};
  DropReason why[1]{};
  EXPECT_EQ(esp_encap_burst(*ctx_, &head, sas, 1, why), 0);
  EXPECT_EQ(why[0], DropReason::chained_mbuf);
}

// With job checking on, a job IPsec-MB refuses drops its packets with a
// reason and leaves the queue usable; nothing is queued half-way.
TEST_F(EspEncapRejects, JobsTheLibraryRefusesAreDroppedAsCryptoErrors) {
  SaPair bad = pair(kAesCbcSha1);
  SaPair good = pair(kAesGcm256);
  ASSERT_TRUE(bad.out && good.out && good.in);
  bad.out->job.key_len = 7;  // no AES key is 7 bytes long
  rte_mbuf* pkts[2] = {mbufs_.make(inner_packet(64)), mbufs_.make(inner_packet(64))};
  OutboundSa* sas[2] = {bad.out.get(), bad.out.get()};
  DropReason why[2]{};
  EXPECT_EQ(esp_encap_burst(*ctx_, pkts, sas, 2, why), 0);
  EXPECT_EQ(why[0], DropReason::crypto_error);
  EXPECT_EQ(why[1], DropReason::crypto_error);
  EXPECT_EQ(bad.out->usage.drops[index_of(DropReason::crypto_error)].get(), 2u);
  EXPECT_EQ(ctx_->outbound().in_flight(), 0u);
  const Outcome after = encap(*good.out, inner_packet(64));
  ASSERT_TRUE(after.ok);
  EXPECT_TRUE(decap(*good.in, bytes_of(after.m)).ok);
}

class EspIvs : public EspFixture, public ::testing::Test {
 protected:
  Bytes iv_of(const Bytes& wire, size_t iv_len) {
    return Bytes(wire.begin() + 28, wire.begin() + 28 + static_cast<long>(iv_len));
  }
};

TEST_F(EspIvs, CbcIvsAreNeverRepeatedAndDifferPerWorker) {
  SaPair sa = pair(kAesCbcSha1);
  ASSERT_TRUE(sa.out);
  std::set<Bytes> seen;
  const Bytes inner = inner_packet(64);
  for (int k = 0; k < 500; ++k) seen.insert(iv_of(sealed(*sa.out, inner), 16));
  EXPECT_EQ(seen.size(), 500u);

  std::string error;
  auto other_worker = CryptoCtx::create({}, &error);
  ASSERT_TRUE(other_worker) << error;
  rte_mbuf* m = mbufs_.make(inner);
  OutboundSa* sas[1] = {sa.out.get()};
  DropReason why[1]{};
  ASSERT_EQ(esp_encap_burst(*other_worker, &m, sas, 1, why), 1);
  EXPECT_EQ(seen.count(iv_of(bytes_of(m), 16)), 0u);
}

TEST_F(EspIvs, GcmIvsCountUpFromARandomStartPerInstall) {
  // Two installs of the same static key (say, before and after a restart)
  // must not produce the same GCM IVs.
  SaPair first = pair(kAesGcm256);
  SaPair second = pair(kAesGcm256);
  ASSERT_TRUE(first.out && second.out);
  const Bytes inner = inner_packet(64);
  const Bytes a1 = iv_of(sealed(*first.out, inner), 8);
  const Bytes a2 = iv_of(sealed(*first.out, inner), 8);
  const Bytes b1 = iv_of(sealed(*second.out, inner), 8);
  EXPECT_NE(a1, b1);
  uint64_t x = 0, y = 0;
  for (int k = 0; k < 8; ++k) {
    x = x << 8 | a1[k];
    y = y << 8 | a2[k];
  }
  EXPECT_EQ(y, x + 1) << "consecutive packets use consecutive IVs";
}

}  // namespace
}  // namespace vpngw::dataplane::test
