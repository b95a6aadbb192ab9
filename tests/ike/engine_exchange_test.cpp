// IKE_SA_INIT + IKE_AUTH between two engines, message by message:
//
//   a (initiator)                                         b (responder)
//   IKE_SA_INIT { SA KE No N(NATD_S_IP) N(NATD_D_IP) }  -->
//                  <--  IKE_SA_INIT { SA KE No N(NATD_S_IP) N(NATD_D_IP) }
//   IKE_AUTH { IDi AUTH N(INIT_CONTACT) SA TSi TSr }   -->
//                                 <--  IKE_AUTH { IDr AUTH SA TSi TSr }
#include <gtest/gtest.h>

#include "ike/wire/message.hpp"
#include "tests/ike/engine_test_support.hpp"

namespace vpngw::ike::test {
namespace {

using dataplane::SaParams;

std::string key_hex(const SaParams& p) {
  return hex(p.cipher_key.data(), p.cipher_key_len) + "/" + hex(p.auth_key.data(), p.auth_key_len);
}

void configure(EnginePair& pair, const TunnelSpec& a, const TunnelSpec& b) {
  pair.b.engine.configure(snapshot_of({b}), pair.now);
  pair.a.engine.configure(snapshot_of({a}), pair.now);
}

// The SAs of both sides must mirror each other: a's outbound is b's
// inbound (same SPI, same keys) and the other way round.
void expect_crossed(EnginePair& pair, const std::string& tunnel = "vpnx-00000001") {
  ASSERT_EQ(pair.a.installer.inbound.size(), 1u);
  ASSERT_EQ(pair.b.installer.inbound.size(), 1u);
  ASSERT_EQ(pair.a.installer.outbound.count(tunnel), 1u);
  ASSERT_EQ(pair.b.installer.outbound.count(tunnel), 1u);
  const SaParams& a_out = pair.a.installer.outbound[tunnel];
  const SaParams& b_out = pair.b.installer.outbound[tunnel];
  const SaParams& a_in = pair.a.installer.inbound.begin()->second;
  const SaParams& b_in = pair.b.installer.inbound.begin()->second;
  EXPECT_EQ(a_out.spi, b_in.spi);
  EXPECT_EQ(b_out.spi, a_in.spi);
  EXPECT_EQ(key_hex(a_out), key_hex(b_in));
  EXPECT_EQ(key_hex(b_out), key_hex(a_in));
  EXPECT_NE(key_hex(a_out), key_hex(a_in));
  EXPECT_EQ(a_out.direction, dataplane::SaDirection::outbound);
  EXPECT_EQ(a_in.direction, dataplane::SaDirection::inbound);
  EXPECT_EQ(a_in.replay_window, 1024u);
}

TEST(EngineExchange, InitiatorAndResponderEstablishTheTunnel) {
  EnginePair pair;
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  ASSERT_EQ(pair.a.sender.out.size(), 1u);  // IKE_SA_INIT request, at once (start action)
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connecting);
  EXPECT_EQ(pair.pump(), 4);

  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::connected);
  expect_crossed(pair);

  // a allocated its inbound SPI from its installer, b from its own.
  const SaParams& a_out = pair.a.installer.outbound["vpnx-00000001"];
  EXPECT_EQ(a_out.spi, 0x2000u);
  EXPECT_EQ(pair.a.installer.inbound.begin()->first, 0x1000u);
  EXPECT_EQ(a_out.cipher, dataplane::EspCipher::aes128_cbc);
  EXPECT_EQ(a_out.integrity, dataplane::EspIntegrity::hmac_sha1_96);
  EXPECT_EQ(a_out.cipher_key_len, 16);
  EXPECT_EQ(a_out.auth_key_len, 20);
  EXPECT_EQ(a_out.tunnel_src, EnginePair::a_ip());
  EXPECT_EQ(a_out.tunnel_dst, EnginePair::b_ip());
  EXPECT_FALSE(a_out.udp_encap);
  // Inbound selectors: a's local side and the peer's, as negotiated.
  const SaParams& a_in = pair.a.installer.inbound.begin()->second;
  EXPECT_EQ(a_in.tunnel_src, EnginePair::b_ip());
  EXPECT_EQ(a_in.tunnel_dst, EnginePair::a_ip());
  ASSERT_EQ(a_in.local_count, 1);
  EXPECT_EQ(a_in.local[0].str(), "10.1.0.0/24");
  ASSERT_EQ(a_in.peer_count, 2);
  EXPECT_EQ(a_in.peer[0].str(), "172.16.0.0/24");
  EXPECT_EQ(a_in.peer[1].str(), "172.16.1.0/24");
  // Inbound is installed before the outbound switch, on both sides.
  EXPECT_EQ(pair.a.installer.calls.front().rfind("add_inbound", 0), 0u);
  EXPECT_EQ(pair.b.installer.calls.front().rfind("add_inbound", 0), 0u);

  // strongSwan-style connection log.
  EXPECT_TRUE(pair.a.observer.logged("sending IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]"));
  EXPECT_TRUE(pair.b.observer.logged("parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]"));
  EXPECT_TRUE(pair.b.observer.logged("sending IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]"));
  EXPECT_TRUE(pair.a.observer.logged("sending IKE_AUTH request 1 [ IDi AUTH N(INIT_CONTACT) SA TSi TSr ]"));
  EXPECT_TRUE(pair.b.observer.logged("sending IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]"));
  EXPECT_TRUE(pair.a.observer.logged("selected proposal: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"));
  EXPECT_TRUE(pair.b.observer.logged("selected proposal: ESP:AES_CBC_128/HMAC_SHA1_96"));
  EXPECT_TRUE(pair.a.observer.logged("established with SPIs 00001000_i 00002000_o"));
  for (const std::string& line : pair.a.observer.logs) EXPECT_EQ(line.find(key_hex(a_out).substr(0, 16)), std::string::npos);

  auto status = pair.a.engine.status("vpnx-00000001", pair.now);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->ike_state, "established");
  EXPECT_TRUE(status->initiator);
  EXPECT_EQ(status->algorithms, "AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024");
  ASSERT_EQ(status->children.size(), 1u);
  EXPECT_EQ(status->children[0].spi_in, 0x1000u);
  EXPECT_EQ(status->children[0].spi_out, 0x2000u);
  EXPECT_EQ(status->children[0].remote_ts.size(), 2u);
  auto b_status = pair.b.engine.status("vpnx-00000001", pair.now);
  ASSERT_TRUE(b_status);
  EXPECT_FALSE(b_status->initiator);
  EXPECT_EQ(b_status->spi_i, status->spi_i);
  EXPECT_EQ(b_status->spi_r, status->spi_r);
  EXPECT_EQ(pair.a.engine.counters().sent, 2u);
  EXPECT_EQ(pair.b.engine.counters().received, 2u);
  EXPECT_FALSE(pair.a.engine.next_timer().has_value() &&
               *pair.a.engine.next_timer() <= pair.now);
}

TEST(EngineExchange, RolesReversed) {
  EnginePair pair;
  TunnelSpec a = pair.a_tunnel();
  a.start = StartAction::respond;
  TunnelSpec b = pair.b_tunnel();
  b.start = StartAction::start;
  configure(pair, a, b);
  EXPECT_TRUE(pair.a.sender.out.empty());
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::connected);
  expect_crossed(pair);
  // b offered its two local CIDRs as TSi; a narrowed nothing away.
  EXPECT_EQ(pair.a.installer.inbound.begin()->second.peer_count, 2);
}

TEST(EngineExchange, GcmSuitesAndEcpGroup) {
  EnginePair pair;
  TunnelSpec a = pair.a_tunnel();
  TunnelSpec b = pair.b_tunnel();
  for (TunnelSpec* t : {&a, &b}) {
    t->ike.encryption = Cipher::aes128gcm;
    t->ike.integrity = Integrity::sha256;
    t->ike.dh_group = DhGroup::ecp256;
    t->ipsec.encryption = Cipher::aes256gcm;
  }
  configure(pair, a, b);
  pair.pump();
  ASSERT_EQ(pair.a.observer.last(), ConnectionStatus::connected) << pair.a.observer.last_reason();
  expect_crossed(pair);
  const SaParams& out = pair.a.installer.outbound["vpnx-00000001"];
  EXPECT_EQ(out.cipher, dataplane::EspCipher::aes256_gcm);
  EXPECT_EQ(out.integrity, dataplane::EspIntegrity::none);
  EXPECT_EQ(out.cipher_key_len, 36);  // key + salt
  EXPECT_EQ(out.auth_key_len, 0);
}

TEST(EngineExchange, LostRequestIsRetransmitted) {
  EngineSettings settings;
  EnginePair pair(settings);
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  // IKE_SA_INIT request -X (lost)
  int dropped = 0;
  pair.pump([&](bool from_a, Datagram&) { return !(from_a && dropped++ == 0); });
  EXPECT_EQ(pair.b.engine.counters().received, 0u);
  ASSERT_TRUE(pair.a.engine.next_timer());
  EXPECT_EQ(*pair.a.engine.next_timer(), pair.now + settings.retransmit_timeout);
  pair.advance(std::chrono::milliseconds(1999));
  pair.tick();
  EXPECT_TRUE(pair.a.sender.out.empty());
  pair.advance(std::chrono::milliseconds(1));
  pair.tick();
  ASSERT_EQ(pair.a.sender.out.size(), 1u);  // the same request again
  EXPECT_TRUE(pair.a.observer.logged("retransmit 1 of request with message ID 0"));
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(pair.a.engine.counters().retransmits, 1u);
  expect_crossed(pair);
}

TEST(EngineExchange, LostResponseIsAnsweredFromTheCache) {
  EnginePair pair;
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  // IKE_SA_INIT both ways, then IKE_AUTH request --> b; its response -X.
  int from_b = 0;
  pair.pump([&](bool from_a, Datagram&) { return from_a || from_b++ != 1; });
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::connected);
  EXPECT_NE(pair.a.observer.last(), ConnectionStatus::connected);
  const size_t b_calls = pair.b.installer.calls.size();
  pair.advance(std::chrono::seconds(2));
  pair.tick();  // a retransmits IKE_AUTH; b answers from its cache
  pair.pump();
  EXPECT_TRUE(pair.b.observer.logged("received retransmit of request with ID 1, retransmitting response"));
  EXPECT_EQ(pair.b.installer.calls.size(), b_calls);  // process() did not run again
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  expect_crossed(pair);
}

TEST(EngineExchange, DuplicateRequestIsNotProcessedTwice) {
  EnginePair pair;
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  std::vector<Datagram> auth_requests;
  pair.pump([&](bool from_a, Datagram& d) {
    if (from_a && d.local.port == 500 && auth_requests.empty() && d.bytes.size() > 28 &&
        d.bytes[18] == static_cast<uint8_t>(ExchangeType::ike_auth))
      auth_requests.push_back(d);
    return true;
  });
  ASSERT_EQ(auth_requests.size(), 1u);
  EXPECT_EQ(pair.b.installer.inbound.size(), 1u);
  pair.deliver(true, auth_requests.front());
  EXPECT_EQ(pair.b.installer.inbound.size(), 1u);
  EXPECT_EQ(pair.b.sender.out.size(), 1u);  // the cached response
  EXPECT_TRUE(pair.b.observer.logged("received retransmit of request with ID 1"));
  pair.pump();  // a ignores the duplicate response
  EXPECT_TRUE(pair.a.observer.logged("ignoring unexpected IKE_AUTH response 1"));
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
}

TEST(EngineExchange, UnansweredRequestGivesUpAndFails) {
  EngineSettings settings;
  settings.negotiation_retries = 0;
  EnginePair pair(settings);
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  pair.a.sender.out.clear();
  for (int i = 0; i < 10 && pair.a.observer.last() != ConnectionStatus::phase1_failed; ++i) {
    pair.advance(std::chrono::seconds(10));
    pair.tick();
    pair.a.sender.out.clear();
  }
  EXPECT_EQ(pair.a.engine.counters().retransmits, settings.retransmit_tries - 1);
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::phase1_failed);
  EXPECT_NE(pair.a.observer.last_reason().find("did not answer IKE_SA_INIT"), std::string::npos);
}

TEST(EngineExchange, WrongPskFailsPhase1OnBothSides) {
  EngineSettings settings;
  settings.negotiation_retries = 0;
  EnginePair pair(settings);
  TunnelSpec b = pair.b_tunnel();
  b.psk = "another-psk";
  configure(pair, pair.a_tunnel(), b);
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::phase1_failed);
  EXPECT_NE(pair.a.observer.last_reason().find("AUTHENTICATION_FAILED"), std::string::npos);
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::phase1_failed);
  EXPECT_NE(pair.b.observer.last_reason().find("PSK"), std::string::npos);
  EXPECT_TRUE(pair.b.observer.logged("sending IKE_AUTH response 1 [ N(AUTH_FAILED) ]"));
  EXPECT_EQ(pair.b.engine.counters().auth_failed, 1u);
  EXPECT_EQ(pair.a.engine.counters().auth_failed, 1u);
  EXPECT_TRUE(pair.a.installer.inbound.empty());
  EXPECT_TRUE(pair.b.installer.inbound.empty());
  EXPECT_TRUE(pair.b.installer.outbound.empty());
  auto status = pair.a.engine.status("vpnx-00000001", pair.now);
  EXPECT_EQ(status->ike_state, "failed");
}

TEST(EngineExchange, FailedNegotiationIsRetriedThenReportedThenRetriedEvery12s) {
  EngineSettings settings;  // 3 retries
  EnginePair pair(settings);
  TunnelSpec b = pair.b_tunnel();
  b.psk = "another-psk";
  configure(pair, pair.a_tunnel(), b);
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connecting);
  for (int i = 0; i < 3; ++i) {
    pair.advance(settings.retransmit_timeout);
    pair.tick();
    pair.pump();
  }
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::phase1_failed);
  EXPECT_EQ(pair.a.engine.status("vpnx-00000001", pair.now)->attempts, 4u);
  EXPECT_TRUE(pair.a.observer.logged("retrying every 12 s"));
  ASSERT_TRUE(pair.a.engine.next_timer());
  EXPECT_EQ(*pair.a.engine.next_timer(), pair.now + std::chrono::seconds(12));
  // The PSK is fixed on b: the next periodic retry connects.
  TunnelSpec fixed = pair.b_tunnel();
  pair.b.engine.configure(snapshot_of({fixed}), pair.now);
  pair.advance(std::chrono::seconds(12));
  pair.tick();
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(pair.a.engine.status("vpnx-00000001", pair.now)->attempts, 0u);
}

TEST(EngineExchange, IkeProposalMismatchIsNoProposalChosen) {
  EngineSettings settings;
  settings.negotiation_retries = 0;
  EnginePair pair(settings);
  TunnelSpec b = pair.b_tunnel();
  b.ike.encryption = Cipher::aes256;
  b.ike.dh_group = DhGroup::modp2048;
  configure(pair, pair.a_tunnel(), b);
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::phase1_failed);
  EXPECT_NE(pair.a.observer.last_reason().find("NO_PROPOSAL_CHOSEN"), std::string::npos);
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::phase1_failed);
  EXPECT_NE(pair.b.observer.last_reason().find(
                "peer offered AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024; we want "
                "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048"),
            std::string::npos)
      << pair.b.observer.last_reason();
  EXPECT_TRUE(pair.b.observer.logged("sending IKE_SA_INIT response 0 [ N(NO_PROP) ]"));
  EXPECT_EQ(pair.a.engine.counters().no_proposal, 1u);
  EXPECT_EQ(pair.b.engine.counters().no_proposal, 1u);
}

TEST(EngineExchange, EspProposalMismatchFailsPhase2) {
  EngineSettings settings;
  settings.negotiation_retries = 0;
  EnginePair pair(settings);
  TunnelSpec b = pair.b_tunnel();
  b.ipsec.encryption = Cipher::des3;
  configure(pair, pair.a_tunnel(), b);
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::phase2_failed);
  EXPECT_NE(pair.a.observer.last_reason().find("NO_PROPOSAL_CHOSEN"), std::string::npos);
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::phase2_failed);
  EXPECT_NE(pair.b.observer.last_reason().find("we want 3DES/HMAC_SHA1_96"), std::string::npos)
      << pair.b.observer.last_reason();
  EXPECT_TRUE(pair.b.observer.logged("sending IKE_AUTH response 1 [ IDr AUTH N(NO_PROP) ]"));
  EXPECT_TRUE(pair.a.installer.inbound.empty());
  EXPECT_TRUE(pair.b.installer.inbound.empty());
  // a closes the authenticated IKE SA with a Delete.
  EXPECT_TRUE(pair.a.observer.logged("sending INFORMATIONAL request 2 [ D ]"));
}

TEST(EngineExchange, DisjointSelectorsAreTsUnacceptable) {
  EngineSettings settings;
  settings.negotiation_retries = 0;
  EnginePair pair(settings);
  TunnelSpec b = pair.b_tunnel();
  b.spd = {SpdRule{*Cidr::parse("172.16.9.0/24"), {*Cidr::parse("10.1.0.0/24")}}};
  configure(pair, pair.a_tunnel(), b);
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::phase2_failed);
  EXPECT_NE(pair.a.observer.last_reason().find("TS_UNACCEPTABLE"), std::string::npos);
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::phase2_failed);
}

TEST(EngineExchange, ResponderNarrowsSelectors) {
  EnginePair pair;
  TunnelSpec b = pair.b_tunnel();
  // b only has one of a's two peer CIDRs, and a wider local one.
  b.spd = {SpdRule{*Cidr::parse("172.16.1.0/24"), {*Cidr::parse("10.0.0.0/8")}}};
  configure(pair, pair.a_tunnel(), b);
  pair.pump();
  ASSERT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  const SaParams& a_in = pair.a.installer.inbound.begin()->second;
  ASSERT_EQ(a_in.peer_count, 1);
  EXPECT_EQ(a_in.peer[0].str(), "172.16.1.0/24");
  ASSERT_EQ(a_in.local_count, 1);
  EXPECT_EQ(a_in.local[0].str(), "10.1.0.0/24");
}

TEST(EngineExchange, NatIsDetectedAndEspMovesToUdp4500) {
  EnginePair pair({}, /*b_behind_nat=*/true);
  std::vector<std::pair<uint16_t, uint16_t>> a_ports;
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  pair.pump([&](bool from_a, Datagram& d) {
    if (from_a) a_ports.push_back({d.local.port, d.remote.port});
    return true;
  });
  ASSERT_EQ(pair.a.observer.last(), ConnectionStatus::connected) << pair.a.observer.last_reason();
  ASSERT_EQ(pair.b.observer.last(), ConnectionStatus::connected) << pair.b.observer.last_reason();
  expect_crossed(pair);
  // IKE_SA_INIT on 500, IKE_AUTH on 4500 (to the NAT's mapping of b's 4500).
  ASSERT_EQ(a_ports.size(), 2u);
  EXPECT_EQ(a_ports[0], std::make_pair(uint16_t{500}, uint16_t{500}));
  EXPECT_EQ(a_ports[1], std::make_pair(uint16_t{4500}, uint16_t{4500}));
  auto a_status = *pair.a.engine.status("vpnx-00000001", pair.now);
  EXPECT_TRUE(a_status.nat_remote);
  EXPECT_FALSE(a_status.nat_local);
  EXPECT_EQ(a_status.local.port, 4500);
  EXPECT_EQ(a_status.remote.port, 14500);
  auto b_status = *pair.b.engine.status("vpnx-00000001", pair.now);
  EXPECT_TRUE(b_status.nat_local);
  EXPECT_EQ(b_status.local.port, 4500);
  const SaParams& a_out = pair.a.installer.outbound["vpnx-00000001"];
  EXPECT_TRUE(a_out.udp_encap);
  EXPECT_EQ(a_out.tunnel_dst, EnginePair::nat_ip());
  EXPECT_EQ(a_out.udp_src_port, 4500);
  EXPECT_EQ(a_out.udp_dst_port, 14500);
  const SaParams& a_in = pair.a.installer.inbound.begin()->second;
  EXPECT_TRUE(a_in.udp_encap);
  EXPECT_EQ(a_in.udp_src_port, 14500);
  EXPECT_EQ(a_in.udp_dst_port, 4500);
  const SaParams& b_out = pair.b.installer.outbound["vpnx-00000001"];
  EXPECT_TRUE(b_out.udp_encap);
  EXPECT_EQ(b_out.udp_src_port, 4500);
  EXPECT_EQ(b_out.udp_dst_port, 4500);
  EXPECT_TRUE(pair.b.observer.logged("local host is behind NAT"));
  EXPECT_TRUE(pair.a.observer.logged("remote host is behind NAT"));
  EXPECT_TRUE(a_status.children.at(0).udp_encap);
}

TEST(EngineExchange, NatInitiatorBehindNatFloatsTo4500) {
  EnginePair pair({}, /*b_behind_nat=*/true);
  TunnelSpec a = pair.a_tunnel();
  a.start = StartAction::respond;
  TunnelSpec b = pair.b_tunnel();
  b.start = StartAction::start;
  configure(pair, a, b);
  std::vector<uint16_t> b_src_ports;
  pair.pump([&](bool from_a, Datagram& d) {
    if (!from_a) b_src_ports.push_back(d.local.port);
    return true;
  });
  ASSERT_EQ(pair.a.observer.last(), ConnectionStatus::connected) << pair.a.observer.last_reason();
  EXPECT_EQ(b_src_ports, (std::vector<uint16_t>{500, 4500}));
  expect_crossed(pair);
  EXPECT_TRUE(pair.a.installer.outbound["vpnx-00000001"].udp_encap);
  EXPECT_EQ(pair.a.installer.outbound["vpnx-00000001"].udp_dst_port, 14500);
}

TEST(EngineExchange, RespondOnlyTunnelForAnyAddressIsPickedByIdentity) {
  EnginePair pair;
  TunnelSpec a1 = pair.a_tunnel();
  a1.id = "vpnx-0000000a";
  a1.peer = Ipv4Addr{};
  a1.start = StartAction::respond;
  a1.ike.remote_id.value = "other.example.com";
  TunnelSpec a2 = a1;
  a2.id = "vpnx-0000000b";
  a2.ike.remote_id.value = "b.example.com";
  a2.spd = {SpdRule{*Cidr::parse("10.2.0.0/24"), {*Cidr::parse("172.16.0.0/24")}}};
  a1.spd = {SpdRule{*Cidr::parse("10.1.0.0/24"), {*Cidr::parse("172.16.0.0/24")}}};
  TunnelSpec b = pair.b_tunnel();
  b.start = StartAction::start;
  b.ike.local_id.value = "b.example.com";
  b.spd = {SpdRule{*Cidr::parse("172.16.0.0/24"), {*Cidr::parse("10.2.0.0/24")}}};
  auto snapshot = snapshot_of({a1, a2});
  snapshot.gateways[1].public_ip = EnginePair::a_ip();
  pair.a.engine.configure(snapshot, pair.now);
  pair.b.engine.configure(snapshot_of({b}), pair.now);
  pair.pump();
  ASSERT_EQ(pair.b.observer.last(), ConnectionStatus::connected) << pair.b.observer.last_reason();
  ASSERT_EQ(pair.a.installer.outbound.count("vpnx-0000000b"), 1u);
  EXPECT_EQ(pair.a.installer.outbound.count("vpnx-0000000a"), 0u);
  EXPECT_TRUE(pair.a.observer.logged("vpnx-0000000b: parsed IKE_SA_INIT request 0"));
  EXPECT_FALSE(pair.a.observer.logged("vpnx-0000000a: parsed IKE_SA_INIT request 0"));
}

TEST(EngineExchange, CookieRequestIsAnsweredWithTheCookie) {
  EnginePair pair;
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  // IKE_SA_INIT request --> (intercepted)
  //                     <-- N(COOKIE) (forged: b is under load)
  ASSERT_EQ(pair.a.sender.out.size(), 1u);
  Datagram first = pair.a.sender.out.front();
  pair.a.sender.out.clear();
  auto request = parse_message(first.bytes);
  ASSERT_TRUE(request);
  Message cookie_response;
  cookie_response.header = request->header;
  cookie_response.header.initiator = false;
  cookie_response.header.response = true;
  NotifyPayload cookie;
  cookie.type = NotifyType::cookie;
  cookie.data = Bytes(16, 0xC0);
  cookie_response.payloads.push_back(cookie);
  pair.deliver(false, Datagram{first.remote, first.local, serialize_message(cookie_response)});
  ASSERT_EQ(pair.a.sender.out.size(), 1u);
  auto retry = parse_message(pair.a.sender.out.front().bytes);
  ASSERT_TRUE(retry);
  ASSERT_FALSE(retry->payloads.empty());
  auto* first_payload = std::get_if<NotifyPayload>(&retry->payloads.front());
  ASSERT_NE(first_payload, nullptr);
  EXPECT_EQ(first_payload->type, NotifyType::cookie);
  EXPECT_EQ(first_payload->data, Bytes(16, 0xC0));
  EXPECT_EQ(retry->header.message_id, 0u);
  EXPECT_EQ(retry->header.spi_i, request->header.spi_i);
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  expect_crossed(pair);
}

TEST(EngineExchange, InvalidKePayloadRetriesWithTheRequestedGroup) {
  EnginePair pair;
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  // a's IKE_SA_INIT arrives at b with a KE of group 14 (rewritten in
  // flight): b asks for group 2 with INVALID_KE_PAYLOAD, a retries.
  Datagram first = pair.a.sender.out.front();
  pair.a.sender.out.clear();
  auto request = parse_message(first.bytes);
  ASSERT_TRUE(request);
  for (Payload& p : request->payloads)
    if (auto* ke = std::get_if<KePayload>(&p)) {
      ke->dh_group = 14;
      ke->data = Bytes(256, 0x11);
    }
  pair.deliver(true, Datagram{first.local, first.remote, serialize_message(*request)});
  EXPECT_TRUE(pair.b.observer.logged("sending IKE_SA_INIT response 0 [ N(INVAL_KE) ]"));
  pair.pump();
  EXPECT_TRUE(pair.a.observer.logged("peer didn't accept DH group 2, it requested 2"));
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  expect_crossed(pair);
}

TEST(EngineExchange, MalformedDatagramsAreCountedAndDropped) {
  EnginePair pair;
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  pair.pump();
  ASSERT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  DeterministicRandom r(7);
  for (int i = 0; i < 200; ++i) {
    Bytes junk(static_cast<size_t>(i % 90));
    r.fill(junk);
    pair.a.engine.on_datagram(Datagram{{EnginePair::a_ip(), 500}, {EnginePair::b_ip(), 500}, junk},
                              pair.now);
  }
  // A truncated copy of a real message.
  pair.a.engine.on_datagram(Datagram{{EnginePair::a_ip(), 500}, {EnginePair::b_ip(), 500}, Bytes(28, 0)},
                            pair.now);
  EXPECT_GE(pair.a.engine.counters().malformed, 150u);
  EXPECT_TRUE(pair.a.sender.out.empty());
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(pair.a.installer.inbound.size(), 1u);
}

TEST(EngineExchange, RemovedTunnelSendsDeleteAndPeerRemovesItsSas) {
  EnginePair pair;
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  pair.pump();
  ASSERT_EQ(pair.b.observer.last(), ConnectionStatus::connected);
  pair.a.engine.configure(snapshot_of({}), pair.now);
  EXPECT_TRUE(pair.a.installer.inbound.empty());
  EXPECT_TRUE(pair.a.installer.outbound.empty());
  EXPECT_TRUE(pair.a.observer.logged("sending INFORMATIONAL request 2 [ D ]"));
  pair.pump();
  EXPECT_TRUE(pair.b.observer.logged("received DELETE for IKE_SA"));
  EXPECT_TRUE(pair.b.installer.inbound.empty());
  EXPECT_TRUE(pair.b.installer.outbound.empty());
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::connecting);
  EXPECT_FALSE(pair.a.engine.status("vpnx-00000001", pair.now));
}

}  // namespace
}  // namespace vpngw::ike::test

namespace vpngw::ike::test {
namespace {

TEST(EngineExchange, ResponderUnderLoadAsksForACookie) {
  EngineSettings settings;
  settings.cookie_threshold = 0;  // always "under load"
  EnginePair pair(settings);
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  // IKE_SA_INIT -->  <-- N(COOKIE);  IKE_SA_INIT { N(COOKIE) ... } --> ...
  pair.pump();
  EXPECT_EQ(pair.b.engine.counters().cookies_sent, 1u);
  EXPECT_TRUE(pair.a.observer.logged("parsed IKE_SA_INIT response 0 [ N(COOKIE) ]"));
  EXPECT_TRUE(pair.a.observer.logged("sending IKE_SA_INIT request 0 [ N(COOKIE) SA KE No N(NATD_S_IP) N(NATD_D_IP) ]"));
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  expect_crossed(pair);
}

TEST(EngineExchange, HalfOpenSasPerPeerAreCapped) {
  EngineSettings settings;
  settings.half_open_per_peer = 2;
  EnginePair pair(settings);
  configure(pair, pair.a_tunnel(), pair.b_tunnel());
  Datagram first = pair.a.sender.out.front();
  pair.a.sender.out.clear();
  auto request = parse_message(first.bytes);
  ASSERT_TRUE(request);
  for (uint64_t spi = 1; spi <= 4; ++spi) {
    request->header.spi_i = spi;
    pair.deliver(true, Datagram{first.local, first.remote, serialize_message(*request)});
  }
  EXPECT_EQ(pair.b.sender.out.size(), 2u);  // the third and fourth were dropped
}

}  // namespace
}  // namespace vpngw::ike::test

namespace vpngw::ike::test {
namespace {

// Both ends start the tunnel at once: two IKE SAs get established; both
// sides must keep the same one (and its CHILD_SA), deleting the other.
TEST(EngineExchange, SimultaneousInitiationConvergesOnOneSa) {
  EnginePair pair;
  TunnelSpec b = pair.b_tunnel();
  b.start = StartAction::start;
  configure(pair, pair.a_tunnel(), b);
  for (int i = 0; i < 5; ++i) {
    pair.pump();
    pair.advance(std::chrono::seconds(1));
    pair.tick();
  }
  pair.pump();
  EXPECT_EQ(pair.a.observer.last(), ConnectionStatus::connected);
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::connected);
  auto sa = *pair.a.engine.status("vpnx-00000001", pair.now);
  auto sb = *pair.b.engine.status("vpnx-00000001", pair.now);
  EXPECT_EQ(sa.ike_state, "established");
  EXPECT_EQ(sa.spi_i, sb.spi_i);
  EXPECT_EQ(sa.spi_r, sb.spi_r);
  expect_crossed(pair);
}

}  // namespace
}  // namespace vpngw::ike::test

namespace vpngw::ike::test {
namespace {

TEST(EngineExchange, EspIntegrityTheDataplaneLacksFailsPhase2Cleanly) {
  EngineSettings settings;
  settings.negotiation_retries = 0;
  EnginePair pair(settings);
  TunnelSpec a = pair.a_tunnel();
  TunnelSpec b = pair.b_tunnel();
  a.ipsec.integrity = b.ipsec.integrity = Integrity::sha384;
  configure(pair, a, b);
  pair.pump();
  EXPECT_EQ(pair.b.observer.last(), ConnectionStatus::phase2_failed);
  EXPECT_NE(pair.b.observer.last_reason().find("does not implement"), std::string::npos);
  EXPECT_TRUE(pair.b.installer.inbound.empty());
  EXPECT_NE(pair.a.observer.last(), ConnectionStatus::connected);
}

}  // namespace
}  // namespace vpngw::ike::test
