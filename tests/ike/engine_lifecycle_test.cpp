// The life of an established tunnel: CHILD_SA rekeys (make-before-break),
// lifetime events, DPD and its actions, NAT keepalives, trap, and
// reconnecting on a configuration change.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/ike/engine_test_support.hpp"

namespace vpngw::ike::test {
namespace {

using dataplane::SaParams;
constexpr const char* kTunnel = "vpnx-00000001";

std::string keys_of(const SaParams& p) {
  return hex(p.cipher_key.data(), p.cipher_key_len) + "/" + hex(p.auth_key.data(), p.auth_key_len);
}

// a initiates and rekeys after ~90 s (lifetime 100 s); b's lifetime is long
// so that only a rekeys; no DPD unless a test asks for it.
struct Established {
  explicit Established(EngineSettings settings = {}, bool nat = false,
                       DhGroup pfs = DhGroup::modp1024)
      : pair(settings, nat) {
    a = pair.a_tunnel();
    b = pair.b_tunnel();
    a.ipsec.lifetime_s = 100;
    b.ipsec.lifetime_s = 100000;
    a.ipsec.pfs = b.ipsec.pfs = pfs;
    a.dpd.delay_s = b.dpd.delay_s = 0;
  }
  void up() {
    pair.b.engine.configure(snapshot_of({b}), pair.now);
    pair.a.engine.configure(snapshot_of({a}), pair.now);
    pair.pump();
    ASSERT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
    ASSERT_EQ(pair.b.observer.last(), ConnectionStatus::connected);
  }
  EnginePair pair;
  TunnelSpec a;
  TunnelSpec b;
};

// Pumps exactly one datagram from one side to the other.
void step(EnginePair& pair, bool from_a) {
  auto& q = (from_a ? pair.a : pair.b).sender.out;
  ASSERT_FALSE(q.empty());
  Datagram d = q.front();
  q.pop_front();
  pair.deliver(from_a, d);
}

TEST(EngineLifecycle, ChildRekeyIsMakeBeforeBreak) {
  Established t;
  t.up();
  const uint32_t old_a_in = t.pair.a.installer.inbound.begin()->first;
  const uint32_t old_b_in = t.pair.b.installer.inbound.begin()->first;
  const std::string old_keys = keys_of(t.pair.a.installer.outbound[kTunnel]);
  auto status = t.pair.a.engine.status(kTunnel, t.pair.now);
  ASSERT_GT(status->children.at(0).rekey_in_s, 80);
  ASSERT_LE(status->children.at(0).rekey_in_s, 90);

  t.pair.advance(std::chrono::seconds(91));
  t.pair.tick();
  // CREATE_CHILD_SA { N(REKEY_SA) SA No KE TSi TSr } -->
  ASSERT_EQ(t.pair.a.sender.out.size(), 1u);
  EXPECT_TRUE(t.pair.a.observer.logged("sending CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No KE TSi TSr ]"));
  step(t.pair, true);
  // b: the new inbound SA is in before it answers; its outbound is still the old one.
  ASSERT_EQ(t.pair.b.installer.inbound.size(), 2u);
  EXPECT_EQ(t.pair.b.installer.outbound[kTunnel].spi, old_a_in);
  EXPECT_TRUE(t.pair.b.observer.logged("sending CREATE_CHILD_SA response 2 [ SA No KE TSi TSr ]"));
  // <-- CREATE_CHILD_SA { SA No KE TSi TSr }
  step(t.pair, false);
  ASSERT_EQ(t.pair.a.installer.inbound.size(), 2u);
  const SaParams a_out = t.pair.a.installer.outbound[kTunnel];
  EXPECT_NE(a_out.spi, old_b_in);
  EXPECT_EQ(t.pair.b.installer.inbound.count(a_out.spi), 1u);
  EXPECT_EQ(keys_of(a_out), keys_of(t.pair.b.installer.inbound[a_out.spi]));
  EXPECT_NE(keys_of(a_out), old_keys);
  // INFORMATIONAL { D(ESP old) } -->
  EXPECT_TRUE(t.pair.a.observer.logged("sending INFORMATIONAL request 3 [ D(ESP) ]"));
  step(t.pair, true);
  // b switched its outbound to the new SA, then retired the old.
  const SaParams b_out = t.pair.b.installer.outbound[kTunnel];
  EXPECT_NE(b_out.spi, old_a_in);
  EXPECT_EQ(t.pair.a.installer.inbound.count(b_out.spi), 1u);
  EXPECT_EQ(keys_of(b_out), keys_of(t.pair.a.installer.inbound[b_out.spi]));
  auto& calls = t.pair.b.installer.calls;
  auto add_new = std::find(calls.begin(), calls.end(), "add_inbound vpnx-00000001 " + std::to_string(a_out.spi));
  auto set_new = std::find(calls.begin(), calls.end(), "set_outbound vpnx-00000001 " + std::to_string(b_out.spi));
  ASSERT_NE(add_new, calls.end());
  ASSERT_NE(set_new, calls.end());
  EXPECT_LT(add_new, set_new);
  EXPECT_EQ(t.pair.b.installer.inbound.count(old_b_in), 1u);  // still there: grace
  // <-- INFORMATIONAL { D(ESP old) }
  step(t.pair, false);
  EXPECT_TRUE(t.pair.a.sender.out.empty());
  EXPECT_EQ(t.pair.a.installer.inbound.count(old_a_in), 1u);
  // After old_sa_grace the old inbound SAs go.
  t.pair.advance(std::chrono::milliseconds(3000));
  t.pair.tick();
  EXPECT_EQ(t.pair.a.installer.inbound.size(), 1u);
  EXPECT_EQ(t.pair.b.installer.inbound.size(), 1u);
  EXPECT_EQ(t.pair.a.installer.inbound.count(old_a_in), 0u);
  EXPECT_EQ(t.pair.b.installer.inbound.count(old_b_in), 0u);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  status = t.pair.a.engine.status(kTunnel, t.pair.now);
  ASSERT_EQ(status->children.size(), 1u);
  EXPECT_EQ(status->children[0].spi_out, a_out.spi);
  EXPECT_EQ(status->children[0].algorithms, "AES_CBC_128/HMAC_SHA1_96/MODP_1024");
  EXPECT_EQ(t.pair.a.installer.outbound_gaps, 0);
  EXPECT_EQ(t.pair.b.installer.outbound_gaps, 0);
}

TEST(EngineLifecycle, ChildRekeyWithoutPfs) {
  Established t({}, false, DhGroup::none);
  t.up();
  t.pair.advance(std::chrono::seconds(91));
  t.pair.tick();
  EXPECT_TRUE(t.pair.a.observer.logged("sending CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ]"));
  t.pair.pump();
  t.pair.advance(std::chrono::seconds(3));
  t.pair.tick();
  ASSERT_EQ(t.pair.a.installer.inbound.size(), 1u);
  const SaParams& a_out = t.pair.a.installer.outbound[kTunnel];
  const SaParams& b_out = t.pair.b.installer.outbound[kTunnel];
  EXPECT_EQ(keys_of(a_out), keys_of(t.pair.b.installer.inbound.at(a_out.spi)));
  EXPECT_EQ(keys_of(b_out), keys_of(t.pair.a.installer.inbound.at(b_out.spi)));
}

TEST(EngineLifecycle, ResponderSwitchesOutboundAtTheDeadlineWithoutDelete) {
  Established t;
  t.up();
  const uint32_t old_a_in = t.pair.a.installer.inbound.begin()->first;
  t.pair.advance(std::chrono::seconds(91));
  t.pair.tick();
  step(t.pair, true);   // the rekey request reaches b
  step(t.pair, false);  // its answer reaches a; a's Delete is lost
  t.pair.a.sender.out.clear();
  EXPECT_EQ(t.pair.b.installer.outbound[kTunnel].spi, old_a_in);
  t.pair.advance(std::chrono::seconds(6));
  t.pair.b.engine.tick(t.pair.now);
  EXPECT_NE(t.pair.b.installer.outbound[kTunnel].spi, old_a_in);
  EXPECT_TRUE(t.pair.b.observer.logged("outbound ESP SA switched to"));
}

TEST(EngineLifecycle, SoftLifetimeEventStartsTheRekey) {
  Established t;
  t.a.ipsec.lifetime_s = 100000;
  t.up();
  const uint32_t out = t.pair.a.installer.outbound[kTunnel].spi;
  t.pair.a.engine.on_sa_expired(kTunnel, out, false, false, t.pair.now);
  t.pair.a.engine.tick(t.pair.now);
  EXPECT_TRUE(t.pair.a.observer.logged("soft lifetime of outbound SA"));
  ASSERT_EQ(t.pair.a.sender.out.size(), 1u);
  t.pair.pump();
  EXPECT_NE(t.pair.a.installer.outbound[kTunnel].spi, out);
}

TEST(EngineLifecycle, RetransmittedRekeyRequestIsAnsweredFromTheCache) {
  Established t;
  t.up();
  t.pair.advance(std::chrono::seconds(91));
  t.pair.tick();
  Datagram request = t.pair.a.sender.out.front();
  step(t.pair, true);
  const size_t inbound = t.pair.b.installer.inbound.size();
  t.pair.deliver(true, request);
  EXPECT_EQ(t.pair.b.installer.inbound.size(), inbound);
  EXPECT_TRUE(t.pair.b.observer.logged("received retransmit of request with ID 2"));
}

TEST(EngineLifecycle, DpdFindsADeadPeerAndRestarts) {
  Established t;
  t.a.dpd = DpdSettings{8, 13, DpdAction::restart};
  t.up();
  t.pair.advance(std::chrono::seconds(7));
  t.pair.a.engine.tick(t.pair.now);
  EXPECT_TRUE(t.pair.a.sender.out.empty());
  t.pair.advance(std::chrono::seconds(1));
  t.pair.a.engine.tick(t.pair.now);
  // INFORMATIONAL { } --> (b is gone)
  ASSERT_EQ(t.pair.a.sender.out.size(), 1u);
  EXPECT_TRUE(t.pair.a.observer.logged("sending INFORMATIONAL request 2 [ ]"));
  t.pair.a.sender.out.clear();
  for (int i = 0; i < 13; ++i) {
    t.pair.advance(std::chrono::seconds(1));
    t.pair.a.engine.tick(t.pair.now);
  }
  EXPECT_TRUE(t.pair.a.observer.logged("is dead: no answer to DPD within 13 s"));
  EXPECT_TRUE(t.pair.a.installer.inbound.empty());
  EXPECT_TRUE(t.pair.a.installer.outbound.empty());
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connecting);
  // restart: a new IKE_SA_INIT goes out at once (retransmits of the DPD came before it).
  ASSERT_FALSE(t.pair.a.sender.out.empty());
  EXPECT_TRUE(t.pair.a.observer.logged("DPD action restart"));
  t.pair.pump();
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
}

TEST(EngineLifecycle, DpdAnsweredKeepsTheTunnel) {
  Established t;
  t.a.dpd = DpdSettings{8, 13, DpdAction::clear};
  t.up();
  for (int i = 0; i < 40; ++i) {
    t.pair.advance(std::chrono::seconds(1));
    t.pair.tick();
    t.pair.pump();
  }
  EXPECT_TRUE(t.pair.a.observer.logged("sending DPD"));
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(t.pair.a.installer.inbound.size(), 1u);
}

TEST(EngineLifecycle, InboundTrafficIsLifeEnoughForDpd) {
  Established t;
  t.a.dpd = DpdSettings{8, 13, DpdAction::clear};
  t.up();
  const uint32_t in = t.pair.a.installer.inbound.begin()->first;
  for (int i = 0; i < 30; ++i) {
    t.pair.a.installer.usage[in].packets += 10;
    t.pair.advance(std::chrono::seconds(1));
    t.pair.a.engine.tick(t.pair.now);
  }
  EXPECT_TRUE(t.pair.a.sender.out.empty());
  EXPECT_FALSE(t.pair.a.observer.logged("sending DPD"));
}

TEST(EngineLifecycle, DpdClearReportsTheDeadPeer) {
  Established t;
  t.a.dpd = DpdSettings{8, 13, DpdAction::clear};
  t.up();
  for (int i = 0; i < 25; ++i) {
    t.pair.advance(std::chrono::seconds(1));
    t.pair.a.engine.tick(t.pair.now);
    t.pair.a.sender.out.clear();
  }
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::phase1_failed);
  EXPECT_NE(t.pair.a.observer.last_reason().find("peer is dead"), std::string::npos);
  EXPECT_TRUE(t.pair.a.installer.inbound.empty());
}

TEST(EngineLifecycle, NatedSideSendsKeepalives) {
  Established t({}, /*nat=*/true);
  t.up();
  for (int i = 0; i < 41; ++i) {
    t.pair.advance(std::chrono::seconds(1));
    t.pair.tick();
  }
  ASSERT_EQ(t.pair.b.sender.keepalives.size(), 2u);
  EXPECT_EQ(t.pair.b.sender.keepalives[0].first.port, 4500);
  EXPECT_EQ(t.pair.b.sender.keepalives[0].second.address, EnginePair::a_ip());
  EXPECT_TRUE(t.pair.a.sender.keepalives.empty());  // a is not behind a NAT
}

TEST(EngineLifecycle, TrapInitiatesOnAcquire) {
  Established t;
  t.a.start = StartAction::trap;
  t.pair.b.engine.configure(snapshot_of({t.b}), t.pair.now);
  t.pair.a.engine.configure(snapshot_of({t.a}), t.pair.now);
  EXPECT_TRUE(t.pair.a.sender.out.empty());
  t.pair.a.engine.on_acquire(kTunnel, t.pair.now);
  EXPECT_TRUE(t.pair.a.observer.logged("acquire"));
  t.pair.pump();
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  t.pair.a.engine.on_acquire(kTunnel, t.pair.now);  // already up: nothing
  EXPECT_TRUE(t.pair.a.sender.out.empty());
}

TEST(EngineLifecycle, ChangedTunnelReconnects) {
  Established t;
  t.up();
  const uint32_t old_out = t.pair.a.installer.outbound[kTunnel].spi;
  TunnelSpec changed = t.a;
  changed.ipsec.encryption = Cipher::aes256;
  TunnelSpec changed_b = t.b;
  changed_b.ipsec.encryption = Cipher::aes256;
  t.pair.b.engine.configure(snapshot_of({changed_b}), t.pair.now);  // b reconnects too (respond only)
  t.pair.b.sender.out.clear();
  t.pair.a.engine.configure(snapshot_of({changed}), t.pair.now);
  EXPECT_TRUE(t.pair.a.observer.logged("configuration changed: reconnecting"));
  t.pair.pump();
  ASSERT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_NE(t.pair.a.installer.outbound[kTunnel].spi, old_out);
  EXPECT_EQ(t.pair.a.installer.outbound[kTunnel].cipher, dataplane::EspCipher::aes256_cbc);
  EXPECT_EQ(t.pair.a.installer.inbound.size(), 1u);
  EXPECT_EQ(t.pair.b.installer.inbound.size(), 1u);
}

TEST(EngineLifecycle, UnchangedConfigureIsIdempotent) {
  Established t;
  t.up();
  const size_t calls = t.pair.a.installer.calls.size();
  t.pair.a.engine.configure(snapshot_of({t.a}), t.pair.now);
  EXPECT_TRUE(t.pair.a.sender.out.empty());
  EXPECT_EQ(t.pair.a.installer.calls.size(), calls);
}

}  // namespace
}  // namespace vpngw::ike::test

namespace vpngw::ike::test {
namespace {

TEST(EngineLifecycle, IkeSaRekeyMovesTheChildSa) {
  Established t;
  t.a.ike.lifetime_s = 100;
  t.b.ike.lifetime_s = 100000;
  t.a.ipsec.lifetime_s = 100000;
  t.up();
  auto before = *t.pair.a.engine.status(kTunnel, t.pair.now);
  const size_t a_calls = t.pair.a.installer.calls.size();
  const size_t b_calls = t.pair.b.installer.calls.size();
  t.pair.advance(std::chrono::seconds(91));
  t.pair.tick();
  // CREATE_CHILD_SA { SA No KE } -->  <-- { SA No KE }; (old SA) INFORMATIONAL { D } -->
  EXPECT_TRUE(t.pair.a.observer.logged("sending CREATE_CHILD_SA request 2 [ SA No KE ]"));
  t.pair.pump();
  EXPECT_TRUE(t.pair.b.observer.logged("sending CREATE_CHILD_SA response 2 [ SA No KE ]"));
  EXPECT_TRUE(t.pair.a.observer.logged("sending INFORMATIONAL request 3 [ D ]"));
  EXPECT_TRUE(t.pair.b.observer.logged("received DELETE for IKE_SA"));
  auto a_after = *t.pair.a.engine.status(kTunnel, t.pair.now);
  auto b_after = *t.pair.b.engine.status(kTunnel, t.pair.now);
  EXPECT_EQ(a_after.ike_state, "established");
  EXPECT_NE(a_after.spi_i, before.spi_i);
  EXPECT_EQ(a_after.spi_i, b_after.spi_i);
  EXPECT_EQ(a_after.spi_r, b_after.spi_r);
  ASSERT_EQ(a_after.children.size(), 1u);
  EXPECT_EQ(a_after.children[0].spi_in, before.children[0].spi_in);
  // The CHILD_SA was not touched in the dataplane.
  EXPECT_EQ(t.pair.a.installer.calls.size(), a_calls);
  EXPECT_EQ(t.pair.b.installer.calls.size(), b_calls);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(t.pair.b.observer.last(), ConnectionStatus::connected);
  // The new IKE SA works: a CHILD_SA rekey over it gives matching keys (so
  // both sides derived the same SK_d).
  const uint32_t out = t.pair.a.installer.outbound[kTunnel].spi;
  t.pair.a.engine.on_sa_expired(kTunnel, out, false, false, t.pair.now);
  t.pair.a.engine.tick(t.pair.now);
  t.pair.pump();
  EXPECT_TRUE(t.pair.a.observer.logged("sending CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No KE TSi TSr ]"));
  const SaParams& a_out = t.pair.a.installer.outbound[kTunnel];
  ASSERT_NE(a_out.spi, out);
  EXPECT_EQ(keys_of(a_out), keys_of(t.pair.b.installer.inbound.at(a_out.spi)));
  const SaParams& b_out = t.pair.b.installer.outbound[kTunnel];
  EXPECT_EQ(keys_of(b_out), keys_of(t.pair.a.installer.inbound.at(b_out.spi)));
}

TEST(EngineLifecycle, IkeSaRekeyByTheResponder) {
  Established t;
  t.a.ike.lifetime_s = 100000;
  t.b.ike.lifetime_s = 100;
  t.a.ipsec.lifetime_s = 100000;
  t.up();
  t.pair.advance(std::chrono::seconds(91));
  t.pair.tick();
  t.pair.pump();
  EXPECT_TRUE(t.pair.b.observer.logged("sending CREATE_CHILD_SA request 0 [ SA No KE ]"));
  auto a_after = *t.pair.a.engine.status(kTunnel, t.pair.now);
  auto b_after = *t.pair.b.engine.status(kTunnel, t.pair.now);
  EXPECT_TRUE(b_after.initiator);  // the rekey's initiator is the new SA's original initiator
  EXPECT_FALSE(a_after.initiator);
  EXPECT_EQ(a_after.spi_i, b_after.spi_i);
  // DPD over the new SA is answered.
  t.pair.advance(std::chrono::seconds(1));
  EXPECT_EQ(t.pair.a.installer.inbound.size(), 1u);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
}

}  // namespace
}  // namespace vpngw::ike::test

namespace vpngw::ike::test {
namespace {

// Both ends rekey the CHILD_SA at the same moment:
//   a: CREATE_CHILD_SA { N(REKEY_SA) ... } -->  <-- b: CREATE_CHILD_SA { N(REKEY_SA) ... }
//   both answer, both install; the replacement with the lowest nonce is
//   deleted by its creator; both end with one CHILD_SA, crossed.
TEST(EngineLifecycle, SimultaneousChildRekeyCollision) {
  EnginePair pair;
  TunnelSpec a = pair.a_tunnel();
  TunnelSpec b = pair.b_tunnel();
  a.ipsec.lifetime_s = b.ipsec.lifetime_s = 100;
  a.dpd.delay_s = b.dpd.delay_s = 0;
  pair.b.engine.configure(snapshot_of({b}), pair.now);
  pair.a.engine.configure(snapshot_of({a}), pair.now);
  pair.pump();
  ASSERT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  pair.advance(std::chrono::seconds(91));
  pair.tick();
  ASSERT_EQ(pair.a.sender.out.size(), 1u);
  ASSERT_EQ(pair.b.sender.out.size(), 1u);
  for (int i = 0; i < 10; ++i) {
    pair.pump();
    pair.advance(std::chrono::seconds(1));
    pair.tick();
  }
  pair.pump();
  EXPECT_TRUE(pair.a.observer.logged("rekey collision") || pair.b.observer.logged("rekey collision"));
  auto sa = *pair.a.engine.status(kTunnel, pair.now);
  auto sb = *pair.b.engine.status(kTunnel, pair.now);
  ASSERT_EQ(sa.children.size(), 1u);
  ASSERT_EQ(sb.children.size(), 1u);
  EXPECT_EQ(sa.children[0].spi_out, sb.children[0].spi_in);
  EXPECT_EQ(sa.children[0].spi_in, sb.children[0].spi_out);
  ASSERT_EQ(pair.a.installer.inbound.size(), 1u);
  ASSERT_EQ(pair.b.installer.inbound.size(), 1u);
  const SaParams& a_out = pair.a.installer.outbound[kTunnel];
  const SaParams& b_out = pair.b.installer.outbound[kTunnel];
  EXPECT_EQ(a_out.spi, pair.b.installer.inbound.begin()->first);
  EXPECT_EQ(b_out.spi, pair.a.installer.inbound.begin()->first);
  EXPECT_EQ(keys_of(a_out), keys_of(pair.b.installer.inbound.begin()->second));
  EXPECT_EQ(keys_of(b_out), keys_of(pair.a.installer.inbound.begin()->second));
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::connected);
  // Never without an outbound SA on either side (make-before-break).
  EXPECT_EQ(pair.a.installer.outbound_gaps, 0);
  EXPECT_EQ(pair.b.installer.outbound_gaps, 0);
}


}  // namespace
}  // namespace vpngw::ike::test

namespace vpngw::ike::test {
namespace {

TEST(EngineLifecycle, NatedPeerThatMovesIsFollowed) {
  Established t({}, /*nat=*/true);
  t.a.dpd = DpdSettings{8, 13, DpdAction::clear};
  t.b.dpd = DpdSettings{8, 13, DpdAction::clear};
  t.up();
  ASSERT_EQ(t.pair.a.installer.outbound[kTunnel].udp_dst_port, 14500);
  // b's NAT mapping changes: its next message (a DPD) comes from port 24500.
  t.pair.advance(std::chrono::seconds(8));
  t.pair.b.engine.tick(t.pair.now);
  ASSERT_EQ(t.pair.b.sender.out.size(), 1u);
  Datagram d = t.pair.b.sender.out.front();
  t.pair.b.sender.out.clear();
  t.pair.a.engine.on_datagram(Datagram{d.remote, {EnginePair::nat_ip(), 24500}, d.bytes}, t.pair.now);
  EXPECT_TRUE(t.pair.a.observer.logged("peer moved from 203.0.113.5[14500] to 203.0.113.5[24500]"));
  EXPECT_EQ(t.pair.a.installer.outbound[kTunnel].udp_dst_port, 24500);
  ASSERT_EQ(t.pair.a.sender.out.size(), 1u);
  EXPECT_EQ(t.pair.a.sender.out.front().remote.port, 24500);  // the answer goes there too
  auto status = *t.pair.a.engine.status(kTunnel, t.pair.now);
  EXPECT_EQ(status.remote.port, 24500);
}

TEST(EngineLifecycle, ChildSaPastItsHardLifetimeReconnects) {
  Established t;
  t.b.ipsec.lifetime_s = 100;
  t.up();
  // a's rekey requests are all lost: at the hard lifetime the SA goes and
  // a reconnects.
  for (int i = 0; i < 101 && !t.pair.a.observer.logged("expired (hard lifetime)"); ++i) {
    t.pair.advance(std::chrono::seconds(1));
    t.pair.a.sender.out.clear();
    t.pair.a.engine.tick(t.pair.now);
  }
  EXPECT_TRUE(t.pair.a.observer.logged("expired (hard lifetime)"));
  EXPECT_EQ(t.pair.a.installer.outbound.count(kTunnel), 0u);
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connecting);
  t.pair.a.engine.tick(t.pair.now);
  t.pair.pump();
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
}

}  // namespace
}  // namespace vpngw::ike::test

namespace vpngw::ike::test {
namespace {

// Both ends rekey the IKE SA at once: each ends up with two successors;
// the one from the exchange with the lowest nonce goes, the CHILD_SA lives
// on in the other, on both sides the same.
TEST(EngineLifecycle, SimultaneousIkeRekeyCollision) {
  Established t;
  t.a.ike.lifetime_s = t.b.ike.lifetime_s = 100;
  t.a.ipsec.lifetime_s = 100000;
  t.up();
  const size_t a_calls = t.pair.a.installer.calls.size();
  t.pair.advance(std::chrono::seconds(91));
  t.pair.tick();
  ASSERT_EQ(t.pair.a.sender.out.size(), 1u);
  ASSERT_EQ(t.pair.b.sender.out.size(), 1u);
  for (int i = 0; i < 5; ++i) {
    t.pair.pump();
    t.pair.advance(std::chrono::seconds(1));
    t.pair.tick();
  }
  t.pair.pump();
  EXPECT_TRUE(t.pair.a.observer.logged("IKE_SA rekey collision"));
  EXPECT_TRUE(t.pair.b.observer.logged("IKE_SA rekey collision"));
  auto sa = *t.pair.a.engine.status(kTunnel, t.pair.now);
  auto sb = *t.pair.b.engine.status(kTunnel, t.pair.now);
  EXPECT_EQ(sa.ike_state, "established");
  EXPECT_EQ(sa.spi_i, sb.spi_i);
  EXPECT_EQ(sa.spi_r, sb.spi_r);
  ASSERT_EQ(sa.children.size(), 1u);
  ASSERT_EQ(sb.children.size(), 1u);
  EXPECT_EQ(t.pair.a.installer.calls.size(), a_calls);  // the CHILD_SA was never touched
  EXPECT_EQ(t.pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(t.pair.b.observer.last(), ConnectionStatus::connected);
  // The surviving SA works: a CHILD_SA rekey over it agrees on keys.
  const uint32_t out = t.pair.a.installer.outbound[kTunnel].spi;
  t.pair.a.engine.on_sa_expired(kTunnel, out, false, false, t.pair.now);
  t.pair.a.engine.tick(t.pair.now);
  t.pair.pump();
  const SaParams& a_out = t.pair.a.installer.outbound[kTunnel];
  ASSERT_NE(a_out.spi, out);
  EXPECT_EQ(keys_of(a_out), keys_of(t.pair.b.installer.inbound.at(a_out.spi)));
}

}  // namespace
}  // namespace vpngw::ike::test
