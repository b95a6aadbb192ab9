// Several CHILD_SAs per tunnel: one per SPD pair when the SPD is not one
// "rectangle" (peers configured the Cisco/Juniper way, one child per ACL
// entry), CREATE_CHILD_SA for new children in both roles, per-child rekeys
// and deletes, TS_UNACCEPTABLE for one pair, the IKE SA rekey carrying every
// child, trap per pair, rekey-vs-delete races (RFC 7296 §2.25), the IKE SA's
// hard lifetime and INVALID_IKE_SPI (§2.21.4).
#include <gtest/gtest.h>

#include <algorithm>

#include "ike/wire/message.hpp"
#include "tests/ike/engine_test_support.hpp"

namespace vpngw::ike::test {
namespace {

using dataplane::SaParams;
constexpr const char* kTunnel = "vpnx-00000001";

Cidr cidr(const char* text) { return *Cidr::parse(text); }

// a: 10.1.0.0/24 -> 172.16.0.0/24 and 10.2.0.0/24 -> 172.16.1.0/24; the
// cross pairs (10.1 <-> 172.16.1, 10.2 <-> 172.16.0) are not in the SPD, so
// one CHILD_SA cannot carry both rules: each pair gets its own. b mirrors it.
const SpdPair kPair1{cidr("10.1.0.0/24"), cidr("172.16.0.0/24")};
const SpdPair kPair2{cidr("10.2.0.0/24"), cidr("172.16.1.0/24")};
const SpdPair kPair3{cidr("10.3.0.0/24"), cidr("172.16.3.0/24")};
SpdPair mirror(const SpdPair& p) { return SpdPair{p.peer, p.local}; }

struct TwoPairs {
  explicit TwoPairs(EngineSettings settings = {}) : pair(settings) {
    a = pair.a_tunnel();
    b = pair.b_tunnel();
    a.spd = {SpdRule{kPair1.local, {kPair1.peer}}, SpdRule{kPair2.local, {kPair2.peer}}};
    b.spd = {SpdRule{kPair1.peer, {kPair1.local}}, SpdRule{kPair2.peer, {kPair2.local}}};
    a.dpd.delay_s = b.dpd.delay_s = 0;
  }
  void up() {
    pair.b.engine.configure(snapshot_of({b}), pair.now);
    pair.a.engine.configure(snapshot_of({a}), pair.now);
    pair.pump();
    ASSERT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
    ASSERT_EQ(pair.b.observer.last(), ConnectionStatus::connected);
  }
  const SaParams* a_out(const SpdPair& p) { return pair.a.installer.outbound_of(kTunnel, p); }
  const SaParams* b_out(const SpdPair& p) { return pair.b.installer.outbound_of(kTunnel, mirror(p)); }
  size_t children(Side& side) { return side.engine.status(kTunnel, pair.now)->children.size(); }
  EnginePair pair;
  TunnelSpec a;
  TunnelSpec b;
};

// The SA carries exactly one local and one peer CIDR.
void expect_selectors(const SaParams& p, const Cidr& local, const Cidr& peer) {
  ASSERT_EQ(p.local_count, 1u);
  ASSERT_EQ(p.peer_count, 1u);
  EXPECT_EQ(p.local[0], local);
  EXPECT_EQ(p.peer[0], peer);
}

// Pumps exactly one datagram from one side to the other.
void step(EnginePair& pair, bool from_a) {
  auto& q = (from_a ? pair.a : pair.b).sender.out;
  ASSERT_FALSE(q.empty());
  Datagram d = q.front();
  q.pop_front();
  pair.deliver(from_a, d);
}

size_t count_logged(const FakeObserver& o, const std::string& part) {
  return static_cast<size_t>(std::count_if(o.logs.begin(), o.logs.end(), [&](const std::string& l) {
    return l.find(part) != std::string::npos;
  }));
}

TEST(EngineChildren, OneChildPerPairEachWithExactlyItsSelectors) {
  TwoPairs t;
  t.up();
  // IKE_AUTH carried pair 1 only (the cross product would admit traffic no
  // rule allows); pair 2 followed in a CREATE_CHILD_SA of its own, with PFS.
  EXPECT_TRUE(t.pair.a.observer.logged("sending IKE_AUTH request 1"));
  EXPECT_TRUE(t.pair.a.observer.logged("creating CHILD_SA for 10.2.0.0/24 === 172.16.1.0/24 (PFS MODP_1024)"));
  EXPECT_TRUE(t.pair.a.observer.logged("sending CREATE_CHILD_SA request 2 [ SA No KE TSi TSr ]"));
  EXPECT_TRUE(t.pair.b.observer.logged("peer requests a new CHILD_SA for 172.16.1.0/24 === 10.2.0.0/24"));
  ASSERT_EQ(t.children(t.pair.a), 2u);
  ASSERT_EQ(t.children(t.pair.b), 2u);

  const SaParams* a1 = t.a_out(kPair1);
  const SaParams* a2 = t.a_out(kPair2);
  const SaParams* b1 = t.b_out(kPair1);
  const SaParams* b2 = t.b_out(kPair2);
  ASSERT_TRUE(a1 && a2 && b1 && b2);
  EXPECT_NE(a1->spi, a2->spi);
  EXPECT_NE(b1->spi, b2->spi);
  expect_selectors(*a1, kPair1.local, kPair1.peer);
  expect_selectors(*a2, kPair2.local, kPair2.peer);
  expect_selectors(*b1, kPair1.peer, kPair1.local);
  expect_selectors(*b2, kPair2.peer, kPair2.local);
  // SPIs crossed, keys equal per direction, inbound selectors per pair too.
  ASSERT_EQ(t.pair.b.installer.inbound.count(a1->spi), 1u);
  ASSERT_EQ(t.pair.b.installer.inbound.count(a2->spi), 1u);
  ASSERT_EQ(t.pair.a.installer.inbound.count(b1->spi), 1u);
  ASSERT_EQ(t.pair.a.installer.inbound.count(b2->spi), 1u);
  EXPECT_EQ(t.pair.a.installer.inbound.size(), 2u);
  const SaParams& b_in2 = t.pair.b.installer.inbound[a2->spi];
  EXPECT_EQ(hex(b_in2.cipher_key.data(), b_in2.cipher_key_len),
            hex(a2->cipher_key.data(), a2->cipher_key_len));
  expect_selectors(b_in2, kPair2.peer, kPair2.local);
  expect_selectors(t.pair.a.installer.inbound[b1->spi], kPair1.local, kPair1.peer);

  // Status: every child with its selectors and SPIs.
  auto status = t.pair.a.engine.status(kTunnel, t.pair.now);
  ASSERT_EQ(status->children.size(), 2u);
  EXPECT_EQ(status->children[0].local_ts, std::vector<std::string>{"10.1.0.0/24"});
  EXPECT_EQ(status->children[0].remote_ts, std::vector<std::string>{"172.16.0.0/24"});
  EXPECT_EQ(status->children[1].local_ts, std::vector<std::string>{"10.2.0.0/24"});
  EXPECT_EQ(status->children[1].remote_ts, std::vector<std::string>{"172.16.1.0/24"});
  EXPECT_EQ(status->children[1].spi_out, a2->spi);
  EXPECT_EQ(status->children[0].pairs, std::vector<std::string>{"10.1.0.0/24 === 172.16.0.0/24"});
  EXPECT_EQ(status->children[1].pairs, std::vector<std::string>{"10.2.0.0/24 === 172.16.1.0/24"});
  EXPECT_GT(status->children[1].rekey_in_s, 0);
  // Nothing more to negotiate.
  t.pair.advance(std::chrono::seconds(30));
  t.pair.tick();
  EXPECT_EQ(t.pair.pump(), 0);
}

TEST(EngineChildren, ResponderNarrowsARectangleOfferToOneChild) {
  // b initiates this time with a one-rule SPD covering both of a's pairs'
  // peers; a (respond) narrows to the pairs its SPD has: 10.1 <-> 172.16.0
  // only, never the cross product.
  TwoPairs t;
  t.a.start = StartAction::respond;
  t.b.start = StartAction::start;
  t.b.spd = {SpdRule{cidr("172.16.0.0/23"), {cidr("10.0.0.0/14")}}};
  t.pair.a.engine.configure(snapshot_of({t.a}), t.pair.now);
  t.pair.b.engine.configure(snapshot_of({t.b}), t.pair.now);
  t.pair.pump();
  ASSERT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  auto status = t.pair.a.engine.status(kTunnel, t.pair.now);
  ASSERT_EQ(status->children.size(), 1u);
  EXPECT_EQ(status->children[0].local_ts, std::vector<std::string>{"10.1.0.0/24"});
  EXPECT_EQ(status->children[0].remote_ts, std::vector<std::string>{"172.16.0.0/24"});
  ASSERT_NE(t.a_out(kPair1), nullptr);
  EXPECT_EQ(t.a_out(kPair2), nullptr);
  // b's second request (its own pair is already served) is not made: one
  // pair, one child. a accepts a new child for pair 2 asked by b.
  EXPECT_EQ(t.children(t.pair.b), 1u);
}

TEST(EngineChildren, ResponderAcceptsANewChildForItsPair) {
  // b (start) brings up both pairs; a only responds.
  TwoPairs t;
  t.a.start = StartAction::respond;
  t.b.start = StartAction::start;
  t.pair.a.engine.configure(snapshot_of({t.a}), t.pair.now);
  t.pair.b.engine.configure(snapshot_of({t.b}), t.pair.now);
  t.pair.pump();
  ASSERT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_TRUE(t.pair.a.observer.logged("peer requests a new CHILD_SA for 10.2.0.0/24 === 172.16.1.0/24"));
  EXPECT_TRUE(t.pair.a.observer.logged("sending CREATE_CHILD_SA response 2 [ SA No KE TSi TSr ]"));
  EXPECT_EQ(t.children(t.pair.a), 2u);
  ASSERT_NE(t.a_out(kPair2), nullptr);
  expect_selectors(*t.a_out(kPair2), kPair2.local, kPair2.peer);
  EXPECT_EQ(t.pair.b.installer.inbound.count(t.a_out(kPair2)->spi), 1u);
}

TEST(EngineChildren, NewChildSuiteMismatchIsNoProposalChosen) {
  TwoPairs t;
  t.up();
  // b now wants PFS with MODP_2048; a offers MODP_1024. b's change closes
  // the IKE SA; a reconnects: IKE_AUTH's child has no PFS and comes up,
  // pair 2's CREATE_CHILD_SA carries the PFS group and is refused.
  TunnelSpec b2 = t.b;
  b2.ipsec.pfs = DhGroup::modp2048;
  t.pair.b.engine.configure(snapshot_of({b2}), t.pair.now);
  t.pair.pump();
  t.pair.advance(std::chrono::seconds(3));
  t.pair.tick();
  t.pair.pump();
  ASSERT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);  // IKE_AUTH has no PFS
  EXPECT_TRUE(t.pair.b.observer.logged("no acceptable proposal found, sending NO_PROPOSAL_CHOSEN"));
  EXPECT_TRUE(t.pair.a.observer.logged(
      "CHILD_SA for 10.2.0.0/24 === 172.16.1.0/24 failed (phase 2): peer answered NO_PROPOSAL_CHOSEN"));
  EXPECT_EQ(t.children(t.pair.a), 1u);
}

TEST(EngineChildren, RekeyOfOneChildLeavesTheOtherAlone) {
  TwoPairs t;
  t.up();
  const SaParams a2_before = *t.a_out(kPair2);
  const SaParams b2_before = *t.b_out(kPair2);
  const uint32_t a1_before = t.a_out(kPair1)->spi;
  auto status = t.pair.a.engine.status(kTunnel, t.pair.now);
  const uint32_t child1_in = status->children[0].spi_in;
  const size_t sets_before = t.pair.a.installer.pair_calls.size();
  // The dataplane's soft lifetime event names child 1's inbound SA.
  t.pair.a.engine.on_sa_expired(kTunnel, child1_in, true, false, t.pair.now);
  t.pair.tick();
  t.pair.pump();
  ASSERT_NE(t.a_out(kPair1)->spi, a1_before);
  expect_selectors(*t.a_out(kPair1), kPair1.local, kPair1.peer);
  // Pair 2: untouched on both sides (same SA, no call naming it).
  EXPECT_EQ(t.a_out(kPair2)->spi, a2_before.spi);
  EXPECT_EQ(t.b_out(kPair2)->spi, b2_before.spi);
  for (size_t i = sets_before; i < t.pair.a.installer.pair_calls.size(); ++i)
    EXPECT_EQ(t.pair.a.installer.pair_calls[i].find("10.2.0.0/24"), std::string::npos)
        << t.pair.a.installer.pair_calls[i];
  EXPECT_EQ(t.children(t.pair.a), 2u);
  EXPECT_EQ(t.pair.a.installer.outbound_gaps, 0);
  EXPECT_EQ(t.pair.b.installer.outbound_gaps, 0);
  t.pair.advance(std::chrono::seconds(4));
  t.pair.tick();
  EXPECT_EQ(t.pair.a.installer.inbound.size(), 2u);  // old inbound of child 1 gone
}

TEST(EngineChildren, PeerDeletesOneChildTheOtherStaysAndThePairComesBack) {
  TwoPairs t;
  t.up();
  const uint32_t a1 = t.a_out(kPair1)->spi;
  const uint32_t a2 = t.a_out(kPair2)->spi;
  // b's child for pair 2 hits its hard lifetime: b removes it and sends a
  // Delete for it.
  auto bs = t.pair.b.engine.status(kTunnel, t.pair.now);
  ASSERT_EQ(bs->children.size(), 2u);
  const uint32_t b_child2_in = bs->children[1].spi_in;
  t.pair.b.engine.on_sa_expired(kTunnel, b_child2_in, true, true, t.pair.now);
  EXPECT_TRUE(t.pair.b.observer.logged("sending INFORMATIONAL request"));
  t.pair.pump();
  EXPECT_TRUE(t.pair.a.observer.logged("received DELETE for ESP CHILD_SA"));
  EXPECT_EQ(t.a_out(kPair2), nullptr);
  EXPECT_EQ(t.a_out(kPair1)->spi, a1);
  EXPECT_EQ(t.children(t.pair.a), 1u);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  // a (start) negotiates pair 2 again after the retry delay.
  t.pair.advance(std::chrono::seconds(2));
  t.pair.tick();
  t.pair.pump();
  ASSERT_NE(t.a_out(kPair2), nullptr);
  EXPECT_NE(t.a_out(kPair2)->spi, a2);
  EXPECT_EQ(t.children(t.pair.a), 2u);
  EXPECT_EQ(t.children(t.pair.b), 2u);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
}

TEST(EngineChildren, UnacceptablePairFailsAloneAndIsRetried) {
  TwoPairs t;
  t.a.spd.push_back(SpdRule{kPair3.local, {kPair3.peer}});  // b has no such rule
  t.up();
  EXPECT_TRUE(t.pair.b.observer.logged("sending TS_UNACCEPTABLE"));
  EXPECT_TRUE(t.pair.a.observer.logged(
      "CHILD_SA for 10.3.0.0/24 === 172.16.3.0/24 failed (phase 2): peer answered TS_UNACCEPTABLE"));
  EXPECT_EQ(t.children(t.pair.a), 2u);
  // The tunnel stays connected: no phase2_failed for one pair.
  for (const auto& e : t.pair.a.observer.events) EXPECT_NE(e.status, ConnectionStatus::phase2_failed);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(count_logged(t.pair.a.observer, "creating CHILD_SA for 10.3.0.0/24"), 1u);
  t.pair.advance(std::chrono::seconds(11));
  t.pair.tick();
  EXPECT_EQ(t.pair.pump(), 0);
  t.pair.advance(std::chrono::seconds(1));
  t.pair.tick();
  t.pair.pump();
  EXPECT_EQ(count_logged(t.pair.a.observer, "creating CHILD_SA for 10.3.0.0/24"), 2u);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
}

TEST(EngineChildren, IkeSaRekeyCarriesBothChildren) {
  TwoPairs t;
  t.a.ike.lifetime_s = 100;
  t.b.ike.lifetime_s = 100000;
  t.up();
  auto before = t.pair.a.engine.status(kTunnel, t.pair.now);
  const SaParams a1 = *t.a_out(kPair1);
  const SaParams a2 = *t.a_out(kPair2);
  const size_t calls = t.pair.a.installer.calls.size();
  t.pair.advance(std::chrono::seconds(91));
  t.pair.tick();
  t.pair.pump();
  auto after = t.pair.a.engine.status(kTunnel, t.pair.now);
  EXPECT_NE(after->spi_i, before->spi_i);
  ASSERT_EQ(after->children.size(), 2u);
  EXPECT_EQ(after->children[0].spi_in, before->children[0].spi_in);
  EXPECT_EQ(after->children[1].spi_in, before->children[1].spi_in);
  EXPECT_EQ(t.children(t.pair.b), 2u);
  EXPECT_EQ(t.a_out(kPair1)->spi, a1.spi);
  EXPECT_EQ(t.a_out(kPair2)->spi, a2.spi);
  EXPECT_EQ(t.pair.a.installer.calls.size(), calls);  // no dataplane call at all
  // Both children still rekey on the new IKE SA.
  t.pair.a.engine.on_sa_expired(kTunnel, after->children[1].spi_in, true, false, t.pair.now);
  t.pair.tick();
  t.pair.pump();
  EXPECT_NE(t.a_out(kPair2)->spi, a2.spi);
  EXPECT_EQ(t.a_out(kPair1)->spi, a1.spi);
}

TEST(EngineChildren, TrapNegotiatesThePairWhoseTrafficArrived) {
  TwoPairs t;
  t.a.start = StartAction::trap;
  t.pair.b.engine.configure(snapshot_of({t.b}), t.pair.now);
  t.pair.a.engine.configure(snapshot_of({t.a}), t.pair.now);
  t.pair.a.engine.on_acquire(kTunnel, kPair2, t.pair.now);
  t.pair.pump();
  ASSERT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  ASSERT_EQ(t.children(t.pair.a), 1u);
  ASSERT_NE(t.a_out(kPair2), nullptr);
  EXPECT_EQ(t.a_out(kPair1), nullptr);  // no traffic there yet: not negotiated
  t.pair.advance(std::chrono::seconds(5));
  t.pair.tick();
  EXPECT_EQ(t.pair.pump(), 0);
  t.pair.a.engine.on_acquire(kTunnel, kPair1, t.pair.now);
  t.pair.pump();
  EXPECT_TRUE(t.pair.a.observer.logged("acquire: traffic for 10.1.0.0/24 === 172.16.0.0/24, creating its CHILD_SA"));
  ASSERT_NE(t.a_out(kPair1), nullptr);
  EXPECT_EQ(t.children(t.pair.a), 2u);
  t.pair.a.engine.on_acquire(kTunnel, kPair1, t.pair.now);  // served: nothing
  EXPECT_TRUE(t.pair.a.sender.out.empty());
}

TEST(EngineChildren, DeleteArrivingWhileWeRekeyThatChild) {
  // RFC 7296 §2.25.1: a rekeys child 1 while b deletes it. b's Delete
  // reaches a first; a's rekey request then reaches b, which no longer has
  // the child: CHILD_SA_NOT_FOUND. a neither retries the rekey nor keeps
  // anything of child 1; the pair is negotiated afresh.
  TwoPairs t;
  t.up();
  auto as = t.pair.a.engine.status(kTunnel, t.pair.now);
  auto bs = t.pair.b.engine.status(kTunnel, t.pair.now);
  t.pair.a.engine.on_sa_expired(kTunnel, as->children[0].spi_in, true, false, t.pair.now);
  t.pair.a.engine.tick(t.pair.now);
  ASSERT_EQ(t.pair.a.sender.out.size(), 1u);  // CREATE_CHILD_SA { N(REKEY_SA) ... }, held
  t.pair.b.engine.on_sa_expired(kTunnel, bs->children[0].spi_in, true, true, t.pair.now);
  ASSERT_EQ(t.pair.b.sender.out.size(), 1u);  // INFORMATIONAL { D(ESP) }
  step(t.pair, false);  // b's Delete reaches a, mid-rekey
  EXPECT_TRUE(t.pair.a.observer.logged("received DELETE for ESP CHILD_SA"));
  EXPECT_EQ(t.a_out(kPair1), nullptr);
  step(t.pair, true);  // a's rekey reaches b
  EXPECT_TRUE(t.pair.b.observer.logged("to rekey not found, sending CHILD_SA_NOT_FOUND"));
  t.pair.pump();
  EXPECT_TRUE(t.pair.a.observer.logged("the CHILD_SA was deleted meanwhile, nothing to rekey"));
  EXPECT_FALSE(t.pair.a.observer.logged("CHILD_SA rekey failed"));
  EXPECT_EQ(t.children(t.pair.a), 1u);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  t.pair.advance(std::chrono::seconds(2));
  t.pair.tick();
  t.pair.pump();
  EXPECT_EQ(t.children(t.pair.a), 2u);
  EXPECT_EQ(t.children(t.pair.b), 2u);
  ASSERT_NE(t.a_out(kPair1), nullptr);
  EXPECT_EQ(t.pair.b.installer.inbound.count(t.a_out(kPair1)->spi), 1u);
}

TEST(EngineChildren, RekeyOfAChildWeJustDeletedIsChildSaNotFound) {
  // The other order: a deletes child 1 (hard lifetime) while b rekeys it.
  // a's Delete is in flight when b's rekey request arrives: a has already
  // removed it -> CHILD_SA_NOT_FOUND; b then processes a's Delete.
  TwoPairs t;
  t.up();
  auto as = t.pair.a.engine.status(kTunnel, t.pair.now);
  auto bs = t.pair.b.engine.status(kTunnel, t.pair.now);
  t.pair.b.engine.on_sa_expired(kTunnel, bs->children[0].spi_in, true, false, t.pair.now);
  t.pair.b.engine.tick(t.pair.now);
  ASSERT_EQ(t.pair.b.sender.out.size(), 1u);  // b's rekey request, held
  t.pair.a.engine.on_sa_expired(kTunnel, as->children[0].spi_in, true, true, t.pair.now);
  ASSERT_EQ(t.pair.a.sender.out.size(), 1u);  // a's Delete, held
  step(t.pair, false);                         // b's rekey reaches a
  EXPECT_TRUE(t.pair.a.observer.logged("sending CHILD_SA_NOT_FOUND"));
  t.pair.pump();
  EXPECT_TRUE(t.pair.b.observer.logged("nothing to rekey"));
  EXPECT_EQ(t.pair.b.installer.outbound_of(kTunnel, mirror(kPair1)), nullptr);
  EXPECT_EQ(t.pair.b.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
}

TEST(EngineChildren, BothEndsCreatingOnePairKeepOneChild) {
  // b (trap) loses pair 2's CHILD_SA and tells a; a (start) creates it again
  // after its retry delay while b's traffic for the pair makes b create it
  // too: the requests cross. Both ends then hold two CHILD_SAs for the pair;
  // the one from the exchange with the lowest nonce is deleted by its
  // creator, the pair's outbound SA on each side is the survivor's, and it
  // was never left without one.
  TwoPairs t;
  t.b.start = StartAction::trap;
  t.up();
  auto bs = t.pair.b.engine.status(kTunnel, t.pair.now);
  t.pair.b.engine.on_sa_expired(kTunnel, bs->children[1].spi_in, true, true, t.pair.now);
  t.pair.pump();
  ASSERT_EQ(t.a_out(kPair2), nullptr);
  const int gaps_a = t.pair.a.installer.outbound_gaps;
  const int gaps_b = t.pair.b.installer.outbound_gaps;
  t.pair.advance(std::chrono::seconds(2));
  t.pair.a.engine.tick(t.pair.now);
  ASSERT_EQ(t.pair.a.sender.out.size(), 1u);  // a: CREATE_CHILD_SA for pair 2, held
  t.pair.b.engine.on_acquire(kTunnel, mirror(kPair2), t.pair.now);
  ASSERT_EQ(t.pair.b.sender.out.size(), 1u);  // b: the same, held
  t.pair.pump();
  t.pair.tick();
  t.pair.pump();
  EXPECT_TRUE(t.pair.a.observer.logged("and has the lowest nonce"));
  EXPECT_TRUE(t.pair.b.observer.logged("and has the lowest nonce"));
  EXPECT_EQ(count_logged(t.pair.a.observer, "and has the lowest nonce: deleting it") +
                count_logged(t.pair.b.observer, "and has the lowest nonce: deleting it"),
            1u);
  EXPECT_EQ(t.children(t.pair.a), 2u);
  EXPECT_EQ(t.children(t.pair.b), 2u);
  ASSERT_NE(t.a_out(kPair2), nullptr);
  ASSERT_NE(t.b_out(kPair2), nullptr);
  // Each side sends on the survivor, which the other side receives on.
  EXPECT_EQ(t.pair.b.installer.inbound.count(t.a_out(kPair2)->spi), 1u);
  EXPECT_EQ(t.pair.a.installer.inbound.count(t.b_out(kPair2)->spi), 1u);
  auto as = t.pair.a.engine.status(kTunnel, t.pair.now);
  for (const auto& c : as->children)
    if (c.local_ts == std::vector<std::string>{"10.2.0.0/24"}) {
      EXPECT_EQ(c.spi_out, t.a_out(kPair2)->spi);
    }
  EXPECT_EQ(t.pair.a.installer.outbound_gaps, gaps_a);
  EXPECT_EQ(t.pair.b.installer.outbound_gaps, gaps_b);
  t.pair.advance(std::chrono::seconds(4));
  t.pair.tick();
  EXPECT_EQ(t.pair.a.installer.inbound.size(), 2u);
  EXPECT_EQ(t.pair.b.installer.inbound.size(), 2u);
}

TEST(EngineChildren, IkeSaPastItsHardLifetimeIsClosedAndReconnects) {
  // Rekeys at 1.5 x the lifetime never come before it ends.
  EngineSettings s;
  s.rekey_fraction = 1.5;
  s.rekey_jitter = 0;
  TwoPairs t(s);
  t.a.ike.lifetime_s = 100;
  t.up();
  const uint64_t spi = t.pair.a.engine.status(kTunnel, t.pair.now)->spi_i;
  t.pair.advance(std::chrono::seconds(100));
  t.pair.tick();
  EXPECT_TRUE(t.pair.a.observer.logged("reached its hard lifetime (100 s) without a rekey, closing it"));
  t.pair.pump();  // the Delete
  t.pair.tick();  // the retry: a new IKE SA
  t.pair.pump();
  auto status = t.pair.a.engine.status(kTunnel, t.pair.now);
  EXPECT_NE(status->spi_i, spi);
  EXPECT_EQ(status->ike_state, "established");
  EXPECT_EQ(status->children.size(), 2u);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  bool went_connecting = false;
  for (const auto& e : t.pair.a.observer.events) went_connecting |= e.status == ConnectionStatus::connecting;
  EXPECT_TRUE(went_connecting);
}

TEST(EngineChildren, UnknownIkeSpiIsAnsweredWithInvalidIkeSpiRateLimited) {
  TwoPairs t;
  t.up();
  t.pair.a.sender.out.clear();
  Header h;
  h.spi_i = 0x1122334455667788ULL;
  h.spi_r = 0x99aabbccddeeff00ULL;
  h.exchange = ExchangeType::informational;
  h.initiator = true;
  h.message_id = 7;
  Datagram d;
  d.local = Endpoint{EnginePair::a_ip(), 4500};
  d.remote = Endpoint{EnginePair::b_ip(), 4500};
  d.bytes = serialize_message(Message{h, {EncryptedPayload{}}});
  const uint64_t unknown_before = t.pair.a.engine.counters().unknown_spi;
  t.pair.a.engine.on_datagram(d, t.pair.now);
  ASSERT_EQ(t.pair.a.sender.out.size(), 1u);
  const Datagram& answer = t.pair.a.sender.out.front();
  EXPECT_EQ(answer.remote, d.remote);
  EXPECT_EQ(answer.local, d.local);
  auto parsed = parse_message(answer.bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->header.spi_i, h.spi_i);
  EXPECT_EQ(parsed->header.spi_r, h.spi_r);
  EXPECT_EQ(parsed->header.message_id, 7u);
  EXPECT_EQ(parsed->header.exchange, ExchangeType::informational);
  EXPECT_TRUE(parsed->header.response);
  ASSERT_EQ(parsed->payloads.size(), 1u);  // unprotected: no SK
  const auto* n = std::get_if<NotifyPayload>(&parsed->payloads[0]);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->type, NotifyType::invalid_ike_spi);
  EXPECT_EQ(t.pair.a.engine.counters().unknown_spi, unknown_before + 1);
  // A response for an unknown SA is never answered.
  Header r = h;
  r.response = true;
  d.bytes = serialize_message(Message{r, {EncryptedPayload{}}});
  t.pair.a.sender.out.clear();
  t.pair.a.engine.on_datagram(d, t.pair.now);
  EXPECT_TRUE(t.pair.a.sender.out.empty());
  // A flood: at most 10 answers a second.
  d.bytes = serialize_message(Message{h, {EncryptedPayload{}}});
  t.pair.advance(std::chrono::seconds(1));
  for (int i = 0; i < 100; ++i) t.pair.a.engine.on_datagram(d, t.pair.now);
  EXPECT_EQ(t.pair.a.sender.out.size(), 10u);
  EXPECT_EQ(t.pair.a.engine.counters().invalid_spi_suppressed, 90u);
  t.pair.advance(std::chrono::seconds(1));
  t.pair.a.engine.on_datagram(d, t.pair.now);
  EXPECT_EQ(t.pair.a.sender.out.size(), 11u);
  // The tunnel is untouched.
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
}

}  // namespace
}  // namespace vpngw::ike::test
