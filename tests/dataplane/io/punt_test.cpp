// IKE to the control thread, ESP to the forwarding stages, and next-hop
// resolution through the control TX path and the punt ring.
#include <gtest/gtest.h>
#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <vector>

#include "dataplane/io/punt.hpp"
#include "tests/dataplane/io/frames.hpp"
#include "tests/dataplane/io/ring_ports.hpp"

namespace vpngw::dataplane::io::test {
namespace {

using PuntTest = RingPortsTest;

const std::vector<uint8_t> kNonEspMarker{0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44};
const std::vector<uint8_t> kEspInUdp{0x00, 0x00, 0x10, 0x01, 0, 0, 0, 1, 0xaa, 0xbb};

uint16_t udp_dport(const rte_mbuf* m) {
  const auto* udp = rte_pktmbuf_mtod_offset(m, const rte_udp_hdr*,
                                            sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr));
  return rte_be_to_cpu_16(udp->dst_port);
}

// Counts what the forwarding hook gets, sending it back out unchanged on the
// other port through the neighbour table (what the ESP stages will do).
struct ForwardToPeer {
  uint32_t next_hop_be = 0;
  uint32_t handed = 0;
  static void handle(void* ctx, WorkerContext& w, uint16_t port_index, rte_mbuf** pkts,
                     uint16_t n) {
    auto* self = static_cast<ForwardToPeer*>(ctx);
    self->handed += n;
    const uint16_t out = port_index == kPublic ? kPrivate : kPublic;
    for (uint16_t i = 0; i < n; ++i) send_to_next_hop(w, out, self->next_hop_be, pkts[i]);
  }
};

TEST_F(PuntTest, IkeOnPort500AndMarkedPort4500ReachThePuntRing) {
  ForwardToPeer hook;
  shared_.hook = {&hook, &ForwardToPeer::handle};
  WorkerContext& w = worker();
  const uint32_t peer = be_ip("198.51.100.2");
  const rte_ether_addr mac = shared_.ports[kPublic].mac;
  inject(kPublic, udp_frame(pool_, mac, peer, public_ip_be_, 500, {1, 2, 3, 4, 5, 6, 7, 8}));
  inject(kPublic, udp_frame(pool_, mac, peer, public_ip_be_, 4500, kNonEspMarker));
  worker_poll_once(w);
  auto punts = punted();
  ASSERT_EQ(punts.size(), 2u);
  EXPECT_EQ(udp_dport(punts[0]), 500);
  EXPECT_EQ(udp_dport(punts[1]), 4500);
  EXPECT_EQ(punts[0]->port, shared_.ports[kPublic].port_id);
  EXPECT_EQ(counters_.ports[kPublic].punted, 2u);
  EXPECT_EQ(hook.handed, 0u);
  EXPECT_TRUE(transmitted(kPublic).empty());
  free_all(punts);
}

TEST_F(PuntTest, IkeToAGatewayIpIsPuntedToo) {
  WorkerContext& w = worker();
  ASSERT_TRUE(gateway_ips_.add(*Ipv4Addr::parse("198.51.100.10")));
  inject(kPublic, udp_frame(pool_, shared_.ports[kPublic].mac, be_ip("198.51.100.2"),
                            be_ip("198.51.100.10"), 500, {9, 9, 9, 9}));
  worker_poll_once(w);
  auto punts = punted();
  EXPECT_EQ(punts.size(), 1u);
  free_all(punts);
}

TEST_F(PuntTest, EspAndEspInUdpGoToTheHookNotThePuntRing) {
  ForwardToPeer hook;
  shared_.hook = {&hook, &ForwardToPeer::handle};
  WorkerContext& w = worker();
  const uint32_t peer = be_ip("198.51.100.2");
  const rte_ether_addr mac = shared_.ports[kPublic].mac;
  inject(kPublic, udp_frame(pool_, mac, peer, public_ip_be_, 4500, kEspInUdp));
  inject(kPublic, esp_frame(pool_, mac, peer, public_ip_be_, 0x1001));
  worker_poll_once(w);
  EXPECT_TRUE(punted().empty());
  EXPECT_EQ(hook.handed, 2u);
  EXPECT_EQ(counters_.ports[kPublic].to_hook, 2u);
  // No next hop resolved on the private side: both dropped as no_neighbour.
  EXPECT_EQ(counters_.drops[index_of(DropReason::no_neighbour)], 2u);
  EXPECT_TRUE(transmitted(kPrivate).empty());
}

TEST_F(PuntTest, FullPuntRingDropsAndCounts) {
  WorkerContext& w = worker();
  const unsigned capacity = rte_ring_get_capacity(shared_.punt);
  const uint32_t peer = be_ip("198.51.100.2");
  unsigned injected = 0;
  while (injected < capacity + 5) {
    for (int i = 0; i < 32 && injected < capacity + 5; ++i, ++injected)
      inject(kPublic, udp_frame(pool_, shared_.ports[kPublic].mac, peer, public_ip_be_, 500, {1}));
    worker_poll_once(w);
  }
  EXPECT_EQ(counters_.ports[kPublic].punted, capacity);
  EXPECT_EQ(counters_.drops[index_of(DropReason::punt_ring_full)], 5u);
  auto punts = punted();
  free_all(punts);
}

TEST_F(PuntTest, ControlThreadResolvesNextHopThenForwardingUsesIt) {
  ForwardToPeer hook;
  hook.next_hop_be = be_ip("198.51.100.254");
  shared_.hook = {&hook, &ForwardToPeer::handle};
  WorkerConfig config;
  config.drains_control_tx = true;
  WorkerContext& w = worker(config);
  const PortRuntime& pub = shared_.ports[kPublic];

  // 1. The control thread asks; the worker transmits the ARP request.
  ASSERT_TRUE(resolve_next_hop(pool_, pub, *Ipv4Addr::parse("198.51.100.254")));
  worker_poll_once(w);
  auto out = transmitted(kPublic);
  ASSERT_EQ(out.size(), 1u);
  const auto* eth = rte_pktmbuf_mtod(out[0], const rte_ether_hdr*);
  EXPECT_TRUE(rte_is_broadcast_ether_addr(&eth->dst_addr));
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->src_addr, &pub.mac));
  const auto* arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1);
  EXPECT_EQ(arp->arp_opcode, rte_cpu_to_be_16(RTE_ARP_OP_REQUEST));
  EXPECT_EQ(arp->arp_data.arp_sip, public_ip_be_);
  EXPECT_EQ(arp->arp_data.arp_tip, hook.next_hop_be);
  EXPECT_TRUE(rte_is_same_ether_addr(&arp->arp_data.arp_sha, &pub.mac));
  free_all(out);

  // 2. The router answers; the worker punts, the control thread learns.
  const rte_ether_addr router{{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}};
  inject(kPublic, arp_frame(pool_, RTE_ARP_OP_REPLY, router, hook.next_hop_be, pub.mac,
                            public_ip_be_));
  worker_poll_once(w);
  rte_mbuf* ike[8];
  EXPECT_EQ(drain_punt_ring(shared_.punt, neighbours_, ike, 8), 0);
  rte_ether_addr learned{};
  ASSERT_TRUE(neighbours_.lookup_be(hook.next_hop_be, &learned));
  EXPECT_TRUE(rte_is_same_ether_addr(&learned, &router));

  // 3. Traffic from the private side now leaves the public port to the router.
  inject(kPrivate, esp_frame(pool_, shared_.ports[kPrivate].mac, be_ip("198.18.1.2"),
                             be_ip("203.0.113.5"), 7));
  worker_poll_once(w);
  out = transmitted(kPublic);
  ASSERT_EQ(out.size(), 1u);
  eth = rte_pktmbuf_mtod(out[0], const rte_ether_hdr*);
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->dst_addr, &router));
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->src_addr, &pub.mac));
  EXPECT_EQ(counters_.drops[index_of(DropReason::no_neighbour)], 0u);
  free_all(out);
}

// Control frames go out through a worker that is not busy at the end of
// its round; a worker whose every poll is full still sends them within
// kBusyControlDrainRounds rounds, so IKE never starves under load.
TEST_F(PuntTest, ControlFramesLeaveAtOnceFromAnIdleWorkerAndBoundedlyFromABusyOne) {
  shared_.hook = {nullptr, [](void*, WorkerContext&, uint16_t, rte_mbuf** pkts, uint16_t n) {
                    rte_pktmbuf_free_bulk(pkts, n);
                  }};
  WorkerConfig config;
  config.drains_control_tx = true;
  WorkerContext& w = worker(config);
  const PortRuntime& pub = shared_.ports[kPublic];
  const PortRuntime& priv = shared_.ports[kPrivate];

  ASSERT_TRUE(resolve_next_hop(pool_, pub, *Ipv4Addr::parse("198.51.100.254")));
  worker_poll_once(w);  // idle: sent in this round
  auto out = transmitted(kPublic);
  EXPECT_EQ(out.size(), 1u);
  free_all(out);
  EXPECT_EQ(counters_.control_sent, 1u);

  // Full bursts on both ports every round: the frame waits, but not long.
  ASSERT_TRUE(resolve_next_hop(pool_, pub, *Ipv4Addr::parse("198.51.100.254")));
  uint32_t rounds = 0;
  while (counters_.control_sent < 2 && rounds < 2 * kBusyControlDrainRounds) {
    for (uint16_t i = 0; i < kRxBurst; ++i) {
      inject(kPublic, esp_frame(pool_, pub.mac, be_ip("198.51.100.2"), public_ip_be_, 7));
      inject(kPrivate, esp_frame(pool_, priv.mac, be_ip("198.18.1.2"), be_ip("203.0.113.5"), 7));
    }
    worker_poll_once(w);
    ++rounds;
  }
  EXPECT_EQ(counters_.control_sent, 2u);
  EXPECT_EQ(rounds, kBusyControlDrainRounds);  // not before: busy workers leave it to idle ones
  out = transmitted(kPublic);
  EXPECT_EQ(out.size(), 1u);
  free_all(out);
}

TEST_F(PuntTest, DrainReturnsIkeAndKeepsOrder) {
  WorkerContext& w = worker();
  const uint32_t peer = be_ip("198.51.100.2");
  for (uint16_t port : {500, 4500})
    inject(kPublic, udp_frame(pool_, shared_.ports[kPublic].mac, peer, public_ip_be_, port,
                              kNonEspMarker));
  worker_poll_once(w);
  rte_mbuf* ike[8];
  ASSERT_EQ(drain_punt_ring(shared_.punt, neighbours_, ike, 8), 2);
  EXPECT_EQ(udp_dport(ike[0]), 500);
  EXPECT_EQ(udp_dport(ike[1]), 4500);
  rte_pktmbuf_free(ike[0]);
  rte_pktmbuf_free(ike[1]);
}

}  // namespace
}  // namespace vpngw::dataplane::io::test
