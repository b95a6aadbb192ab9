// The forwarding hook end to end on ring ports: what leaves each port, and
// how every kind of drop is counted.
#include <gtest/gtest.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include <cstring>

#include "tests/dataplane/forward/forward_bench.hpp"
#include "tests/dataplane/ref_esp.hpp"

namespace vpngw::dataplane::forward::test {
namespace {

using dataplane::test::make_inner_packet;
using dataplane::test::ref_open;
using dataplane::test::ref_seal;
using dataplane::test::RefSealSpec;

constexpr size_t kEth = sizeof(rte_ether_hdr);

rte_ether_hdr ethernet_of(const Bytes& f) {
  rte_ether_hdr eth;
  std::memcpy(&eth, f.data(), sizeof(eth));
  return eth;
}

rte_ipv4_hdr ipv4_of(const Bytes& f) {
  rte_ipv4_hdr h;
  std::memcpy(&h, f.data() + kEth, sizeof(h));
  return h;
}

Bytes without_ethernet(const Bytes& f) { return Bytes(f.begin() + kEth, f.end()); }

Bytes vpc_packet(const char* src, const char* dst, uint16_t len = 100, uint32_t seed = 1) {
  return make_inner_packet(ip(src).value, ip(dst).value, len, seed);
}

// The packet as a router forwards it: TTL one less, header checksum
// recomputed from scratch (the hook updates it incrementally).
Bytes routed(Bytes p) {
  --p[8];
  dataplane::test::set_ipv4_checksum(p);
  return p;
}

// Drops are counted in the worker's counters (the bench's workers share one).
uint64_t drops(const io::WorkerIoCounters& c, DropReason why) { return c.drops[index_of(why)]; }

TEST_F(ForwardBench, VpcPacketLeavesThePublicPortAsEspToTheOffLinkPeer) {
  const Bytes inner = vpc_packet("198.18.1.10", "198.19.2.20");
  forward(0, kPrivatePort, {frame(kPrivatePort, inner)});

  const std::vector<Bytes> out = transmitted(kPublicPort);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  const rte_ether_hdr eth = ethernet_of(out[0]);
  EXPECT_TRUE(rte_is_same_ether_addr(&eth.dst_addr, &kPublicNextHopMac));  // via the next hop
  EXPECT_TRUE(rte_is_same_ether_addr(&eth.src_addr, &io_.ports[kPublicPort].mac));
  EXPECT_EQ(eth.ether_type, rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4));
  const rte_ipv4_hdr outer = ipv4_of(out[0]);
  EXPECT_EQ(outer.next_proto_id, IPPROTO_ESP);
  EXPECT_EQ(outer.src_addr, be("192.0.2.1"));
  EXPECT_EQ(outer.dst_addr, be("203.0.113.2"));

  const auto opened = ref_open(outbound_params(kSpiGw0, "203.0.113.2", false),
                               without_ethernet(out[0]));
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(opened->icv_ok);
  EXPECT_EQ(opened->spi, kSpiGw0);
  EXPECT_EQ(opened->seq_low, 1u);
  EXPECT_EQ(opened->payload(), routed(inner));
  EXPECT_EQ(ctx_[0]->counters.encrypted, 1u);
  EXPECT_EQ(sas_->find_outbound(kSlotGw0)->usage.packets.get(), 1u);
}

TEST_F(ForwardBench, OnLinkPeerGetsEspInUdpSentToItsOwnMac) {
  const Bytes a = vpc_packet("198.18.1.10", "198.20.0.7", 200, 1);
  const Bytes b = vpc_packet("198.18.1.11", "198.19.0.7", 300, 2);  // the other gateway
  forward(0, kPrivatePort, {frame(kPrivatePort, a), frame(kPrivatePort, b)});

  const std::vector<Bytes> out = transmitted(kPublicPort);
  ASSERT_EQ(out.size(), 2u);
  const rte_ether_hdr eth = ethernet_of(out[0]);
  EXPECT_TRUE(rte_is_same_ether_addr(&eth.dst_addr, &kOnLinkPeerMac));
  const rte_ipv4_hdr outer = ipv4_of(out[0]);
  EXPECT_EQ(outer.next_proto_id, IPPROTO_UDP);
  EXPECT_EQ(outer.dst_addr, be("192.0.2.50"));
  const auto opened = ref_open(outbound_params(kSpiGw1, "192.0.2.50", true),
                               without_ethernet(out[0]));
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(opened->icv_ok);
  EXPECT_EQ(opened->spi, kSpiGw1);
  EXPECT_EQ(opened->payload(), routed(a));

  const auto second = ref_open(outbound_params(kSpiGw0, "203.0.113.2", false),
                               without_ethernet(out[1]));
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->icv_ok);
  EXPECT_EQ(second->payload(), routed(b));
}

TEST_F(ForwardBench, EspForAnInstalledSaLeavesThePrivatePortAsTheInnerPacket) {
  const Bytes inner = vpc_packet("198.19.2.20", "198.18.1.10", 120);
  RefSealSpec spec;
  spec.seq = 1;
  spec.payload = inner;
  const Bytes esp = ref_seal(inbound_params(), spec);
  forward(0, kPublicPort, {frame(kPublicPort, esp)});

  const std::vector<Bytes> out = transmitted(kPrivatePort);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(transmitted(kPublicPort).empty());
  const rte_ether_hdr eth = ethernet_of(out[0]);
  EXPECT_TRUE(rte_is_same_ether_addr(&eth.dst_addr, &kPrivateHostMac));  // on-link host
  EXPECT_TRUE(rte_is_same_ether_addr(&eth.src_addr, &io_.ports[kPrivatePort].mac));
  EXPECT_EQ(eth.ether_type, rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4));
  EXPECT_EQ(without_ethernet(out[0]), routed(inner));
  EXPECT_EQ(ctx_[0]->counters.decrypted, 1u);
  EXPECT_EQ(sas_->find_inbound(kSpiInbound, ip("192.0.2.1"))->usage.packets.get(), 1u);
}

// The worker caches (SPI, destination) -> SA (spi_cache.hpp); an SA removed
// or replaced under the same SPI must never be used from the cache again.
TEST_F(ForwardBench, RemovedOrReplacedInboundSaIsNotUsedFromTheCache) {
  const Bytes inner = vpc_packet("198.19.2.20", "198.18.1.10", 120);
  auto sealed = [&](const SaParams& sa, uint32_t seq) {
    RefSealSpec spec;
    spec.seq = seq;
    spec.payload = inner;
    return ref_seal(sa, spec);
  };
  const SaParams first = inbound_params();
  forward(0, kPublicPort, {frame(kPublicPort, sealed(first, 1))});
  ASSERT_EQ(transmitted(kPrivatePort).size(), 1u);

  // Removed: the next packet for that SPI finds no SA.
  ASSERT_TRUE(sas_->remove_inbound(kSpiInbound, ip("192.0.2.1")));
  forward(0, kPublicPort, {frame(kPublicPort, sealed(first, 2))});
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  EXPECT_EQ(drops(io_counters_, DropReason::no_sa), 1u);

  // Installed again with other keys, twice under the same SPI (the second
  // replaces the first in place): only the newest keys open a packet.
  std::string error;
  SaParams second = first;
  second.auth_key[0] ^= 0x5a;
  ASSERT_TRUE(sas_->install_inbound(second, 0, &error)) << error;
  forward(0, kPublicPort, {frame(kPublicPort, sealed(second, 3))});
  ASSERT_EQ(transmitted(kPrivatePort).size(), 1u);
  SaParams third = first;
  third.auth_key[1] ^= 0xa5;
  ASSERT_TRUE(sas_->install_inbound(third, 0, &error)) << error;
  forward(0, kPublicPort, {frame(kPublicPort, sealed(second, 4))});
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  EXPECT_EQ(drops(io_counters_, DropReason::auth_failed), 1u);
  forward(0, kPublicPort, {frame(kPublicPort, sealed(third, 5))});
  EXPECT_EQ(transmitted(kPrivatePort).size(), 1u);
  EXPECT_EQ(sas_->find_inbound(kSpiInbound, ip("192.0.2.1"))->usage.packets.get(), 1u);
}

TEST_F(ForwardBench, EspInUdpFromANattedPeerIsDecapsulatedToo) {
  const Bytes inner = vpc_packet("198.19.2.21", "198.18.1.10", 90);
  SaParams natted = inbound_params();
  natted.udp_encap = true;  // same SA: a NAT may appear mid-SA
  RefSealSpec spec;
  spec.payload = inner;
  const Bytes esp_in_udp = ref_seal(natted, spec);
  ASSERT_EQ(esp_in_udp[9], IPPROTO_UDP);
  forward(0, kPublicPort, {frame(kPublicPort, esp_in_udp)});
  const std::vector<Bytes> out = transmitted(kPrivatePort);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(without_ethernet(out[0]), routed(inner));
}

TEST_F(ForwardBench, OutboundMissesAreDroppedWithTheirReason) {
  forward(0, kPrivatePort,
          {frame(kPrivatePort, vpc_packet("198.18.1.10", "198.21.0.1")),   // no route
           frame(kPrivatePort, vpc_packet("198.17.0.1", "198.19.0.1")),    // no SPD rule
           frame(kPrivatePort, vpc_packet("198.18.1.10", "198.19.9.9")),   // rule, empty slot
           frame(kPrivatePort, vpc_packet("198.18.1.10", "198.21.0.2"))});  // no route
  EXPECT_TRUE(transmitted(kPublicPort).empty());
  const ForwardContext& c = *ctx_[0];
  EXPECT_EQ(drops(io_counters_, DropReason::no_route), 2u);
  EXPECT_EQ(drops(io_counters_, DropReason::no_policy), 1u);
  EXPECT_EQ(drops(io_counters_, DropReason::no_sa), 1u);
  EXPECT_EQ(c.counters.encrypted, 0u);
  EXPECT_EQ(sas_->find_outbound(kSlotGw0)->usage.packets.get(), 0u);
}

TEST_F(ForwardBench, InboundUnknownSpiTamperedAndNonEspAreDropped) {
  const Bytes inner = vpc_packet("198.19.2.20", "198.18.1.10");
  RefSealSpec spec;
  spec.payload = inner;
  SaParams unknown = inbound_params();
  unknown.spi = 0x7777;
  const Bytes wrong_spi = ref_seal(unknown, spec);
  Bytes tampered = ref_seal(inbound_params(), spec);
  tampered[tampered.size() - 20] ^= 0x01;  // inside the ciphertext
  Bytes udp = vpc_packet("203.0.113.2", "192.0.2.1");  // UDP, but not to port 4500
  spec.seq = 2;
  const Bytes good = ref_seal(inbound_params(), spec);

  forward(0, kPublicPort,
          {frame(kPublicPort, wrong_spi), frame(kPublicPort, tampered), frame(kPublicPort, udp),
           frame(kPublicPort, good)});

  const std::vector<Bytes> out = transmitted(kPrivatePort);
  ASSERT_EQ(out.size(), 1u);  // only the authentic packet
  EXPECT_EQ(without_ethernet(out[0]), routed(inner));
  EXPECT_EQ(drops(io_counters_, DropReason::no_sa), 1u);
  EXPECT_EQ(drops(io_counters_, DropReason::not_esp), 1u);
  EXPECT_EQ(drops(io_counters_, DropReason::auth_failed), 1u);
  const InboundSa* sa = sas_->find_inbound(kSpiInbound, ip("192.0.2.1"));
  EXPECT_EQ(sa->usage.drops[dataplane::index_of(DropReason::auth_failed)].get(), 1u);
  EXPECT_EQ(sa->usage.packets.get(), 1u);
}

TEST_F(ForwardBench, ReplayedEspIsDroppedAsReplay) {
  RefSealSpec spec;
  spec.payload = vpc_packet("198.19.2.20", "198.18.1.10");
  const Bytes esp = ref_seal(inbound_params(), spec);
  forward(0, kPublicPort, {frame(kPublicPort, esp), frame(kPublicPort, esp)});
  EXPECT_EQ(transmitted(kPrivatePort).size(), 1u);
  EXPECT_EQ(drops(io_counters_, DropReason::replay), 1u);
}

// The worker caches route and SPD results per flow (flow_cache.hpp); a new
// table must take effect on the very next burst of a cached flow.
TEST_F(ForwardBench, ReplacedSpdAndRouteTablesApplyToAFlowAlreadyCached) {
  const Bytes inner = vpc_packet("198.18.1.10", "198.19.2.20");
  const Cidr vpc{ip("198.18.0.0"), 16};
  std::string error;
  auto spd_with = [&](uint32_t slot) {
    const std::array<SpdRuleSpec, 1> rules{{{0, vpc, Cidr{ip("198.19.0.0"), 16}, slot}}};
    auto table = SpdClassifier::build(rules, &error);
    EXPECT_NE(table, nullptr) << error;
    return table;
  };
  forward(0, kPrivatePort, {frame(kPrivatePort, inner)});
  ASSERT_EQ(transmitted(kPublicPort).size(), 1u);

  // The flow's rule now points at an empty slot: no SA, though cached.
  spd_->replace(spd_with(kSlotEmpty));
  forward(0, kPrivatePort, {frame(kPrivatePort, inner)});
  EXPECT_TRUE(transmitted(kPublicPort).empty());
  EXPECT_EQ(drops(io_counters_, DropReason::no_sa), 1u);

  // Back to the SA's slot, in a new table again.
  spd_->replace(spd_with(kSlotGw0));
  forward(0, kPrivatePort, {frame(kPrivatePort, inner)});
  ASSERT_EQ(transmitted(kPublicPort).size(), 1u);

  // The route goes away: no route, though the SPD still matches.
  const std::array<RouteSpec, 1> routes{{{Cidr{ip("198.20.0.0"), 16}, 1}}};
  auto route_table = RouteTable::build(routes, &error);
  ASSERT_NE(route_table, nullptr) << error;
  routes_->replace(std::move(route_table));
  forward(0, kPrivatePort, {frame(kPrivatePort, inner)});
  EXPECT_TRUE(transmitted(kPublicPort).empty());
  EXPECT_EQ(drops(io_counters_, DropReason::no_route), 1u);
  EXPECT_EQ(sas_->find_outbound(kSlotGw0)->usage.packets.get(), 2u);
}

TEST_F(ForwardBench, TrafficOverTheGatewayCapIsDroppedAsOverCap) {
  // Gateway 1 is capped at 5 Mbps: a 12 000-byte bucket, and the clock
  // stands still, so a burst of 32 ESP packets of ~1 050 bytes cannot all pass.
  std::vector<rte_mbuf*> burst;
  for (uint32_t i = 0; i < 32; ++i)
    burst.push_back(frame(kPrivatePort, vpc_packet("198.18.1.10", "198.20.0.9", 1000, i)));
  forward(0, kPrivatePort, burst);
  const size_t sent = transmitted(kPublicPort).size();
  const uint64_t over = drops(io_counters_, DropReason::over_cap);
  EXPECT_EQ(sent + over, 32u);
  EXPECT_GE(sent, 8u);
  EXPECT_LE(sent, 12u);
  EXPECT_GT(over, 0u);

  // Gateway 0 (1 Gbps) is not affected by gateway 1's empty bucket.
  forward(0, kPrivatePort, {frame(kPrivatePort, vpc_packet("198.18.1.10", "198.19.0.9"))});
  EXPECT_EQ(transmitted(kPublicPort).size(), 1u);

  // Time refills the bucket.
  clock_ += 1'000'000'000;
  forward(0, kPrivatePort, {frame(kPrivatePort, vpc_packet("198.18.1.10", "198.20.0.9"))});
  EXPECT_EQ(transmitted(kPublicPort).size(), 1u);
  EXPECT_EQ(drops(io_counters_, DropReason::over_cap), over);
}

TEST_F(ForwardBench, PacketForAnSaOfAnotherWorkerIsHandedToItsOwner) {
  const Bytes inner = vpc_packet("198.18.1.10", "198.22.3.4");
  forward(0, kPrivatePort, {frame(kPrivatePort, inner)});
  EXPECT_TRUE(transmitted(kPublicPort).empty());
  EXPECT_EQ(ctx_[0]->counters.handed_off, 1u);

  // The owner picks it up on its next round, though nothing arrived on its
  // own queues, and encrypts it with its SA.
  auto owner_config = io::WorkerConfig{};
  owner_config.hook = make_forward_hook(*ctx_[1]);
  io::WorkerContext owner(&io_, owner_config, &io_counters_);
  EXPECT_EQ(io::worker_poll_once(owner), 1u);
  // A CBC job may wait in IPsec-MB's lanes for more packets; the next round
  // brings nothing, so the worker flushes it out.
  EXPECT_EQ(io::worker_poll_once(owner), 0u);
  EXPECT_EQ(forward_in_flight(*ctx_[1]), 0u);
  const std::vector<Bytes> out = transmitted(kPublicPort);
  ASSERT_EQ(out.size(), 1u);
  const auto opened = ref_open(outbound_params(kSpiOther, "203.0.113.2", false),
                               without_ethernet(out[0]));
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(opened->icv_ok);
  EXPECT_EQ(opened->spi, kSpiOther);
  EXPECT_EQ(opened->payload(), routed(inner));
  EXPECT_EQ(ctx_[1]->counters.handoff_received, 1u);
  EXPECT_EQ(ctx_[1]->counters.encrypted, 1u);
  EXPECT_EQ(sas_->find_outbound(kSlotOther)->usage.packets.get(), 1u);
}

// One SA's packets arrive at both workers, as RSS or packet fanout spreads
// them: the owner encrypts every one of them, so its sequence numbers are
// unique and increase by one in the order the packets leave, and each
// worker's packets leave in the order they arrived (no reordering within a
// flow). Checked by opening each packet with the OpenSSL reference.
TEST_F(ForwardBench, AnSaFedFromBothWorkersKeepsItsSequenceNumbersUniqueAndItsFlowsInOrder) {
  std::vector<Bytes> sent_via_0, sent_to_1;  // in arrival order, per arrival worker
  std::vector<Bytes> expected;               // in the order the owner must send them
  uint32_t seed = 1;
  for (int round = 0; round < 20; ++round) {
    std::vector<rte_mbuf*> at0, at1;
    std::vector<Bytes> in0, in1;
    for (int i = 0; i < 1 + round % 5; ++i) {
      in0.push_back(vpc_packet("198.18.1.10", "198.22.3.4", 100, seed++));
      at0.push_back(frame(kPrivatePort, in0.back()));
    }
    for (int i = 0; i < 1 + round % 3; ++i) {
      in1.push_back(vpc_packet("198.18.1.11", "198.22.3.4", 100, seed++));
      at1.push_back(frame(kPrivatePort, in1.back()));
    }
    forward(0, kPrivatePort, at0);  // not the owner: handed to worker 1
    forward(1, kPrivatePort, at1);  // the owner: what was handed to it first, then its own
    for (const auto& b : in0) expected.push_back(routed(b));
    for (const auto& b : in1) expected.push_back(routed(b));
  }
  const std::vector<Bytes> out = transmitted(kPublicPort);
  ASSERT_EQ(out.size(), expected.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const auto opened = ref_open(outbound_params(kSpiOther, "203.0.113.2", false), without_ethernet(out[i]));
    ASSERT_TRUE(opened.has_value());
    ASSERT_TRUE(opened->icv_ok);
    EXPECT_EQ(opened->seq_low, i + 1) << "packet " << i;
    EXPECT_EQ(opened->payload(), expected[i]) << "packet " << i;
  }
  EXPECT_EQ(ctx_[0]->counters.encrypted, 0u);
  EXPECT_EQ(ctx_[1]->counters.encrypted, out.size());
  EXPECT_EQ(ctx_[0]->counters.handed_off, ctx_[1]->counters.handoff_received);
}

TEST_F(ForwardBench, InstalledAsTheWorkersHookItForwardsThroughThePollLoop) {
  io_.hook = make_forward_hook(*ctx_[0]);
  const Bytes inner = vpc_packet("198.18.1.10", "198.19.2.20");
  ASSERT_EQ(rte_ring_enqueue(rx_[kPrivatePort], frame(kPrivatePort, inner)), 0);
  EXPECT_EQ(io::worker_poll_once(*workers_[0]), 1u);
  EXPECT_EQ(io::worker_poll_once(*workers_[0]), 0u);  // the idle round flushes
  EXPECT_EQ(forward_in_flight(*ctx_[0]), 0u);
  const std::vector<Bytes> out = transmitted(kPublicPort);
  ASSERT_EQ(out.size(), 1u);
  const auto opened = ref_open(outbound_params(kSpiGw0, "203.0.113.2", false),
                               without_ethernet(out[0]));
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(opened->icv_ok);
  EXPECT_EQ(opened->payload(), routed(inner));
}

TEST(DropTable, OneTableNamesEveryStagesReasons) {
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    EXPECT_EQ(index_of(kDropReasons[i].reason), i);
    EXPECT_FALSE(kDropReasons[i].description.empty());
    for (size_t j = i + 1; j < kDropReasonCount; ++j)
      EXPECT_NE(kDropReasons[i].name, kDropReasons[j].name);
  }
  // The list, and what the forwarding stages and the I/O layer add.
  for (const char* name : {"no_route", "no_sa", "auth_failed", "replay", "bad_padding",
                           "selector_mismatch", "over_cap", "no_neighbour", "malformed",
                           "ttl_exceeded", "too_big", "no_policy", "tx_full"}) {
    bool found = false;
    for (const DropReasonInfo& d : kDropReasons) found |= d.name == name;
    EXPECT_TRUE(found) << name;
  }
  EXPECT_EQ(name_of(DropReason::over_cap), "over_cap");
}

}  // namespace
}  // namespace vpngw::dataplane::forward::test
