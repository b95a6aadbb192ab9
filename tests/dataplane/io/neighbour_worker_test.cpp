// Next-hop resolution through the worker loop and the control thread's
// resolver, on ring-backed ports: a packet for an on-link host nobody has
// resolved waits for the ARP answer instead of being dropped; ARP the
// workers see reaches the resolver as records; what cannot wait is counted.
#include <gtest/gtest.h>
#include <rte_arp.h>
#include <rte_byteorder.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "dataplane/io/arp_observations.hpp"
#include "dataplane/io/neighbour_resolver.hpp"
#include "dataplane/io/punt.hpp"
#include "tests/dataplane/io/frames.hpp"
#include "tests/dataplane/io/ring_ports.hpp"

namespace vpngw::dataplane::io::test {
namespace {

int g_ring_number = 0;

// Sends every frame from the public port to one next hop on the private
// port, as the inbound ESP stage does with a decrypted packet.
struct ToPrivateHost {
  uint32_t host_be = 0;
  static void handle(void* ctx, WorkerContext& w, uint16_t, rte_mbuf** pkts, uint16_t n) {
    for (uint16_t i = 0; i < n; ++i) send_to_next_hop(w, kPrivate, static_cast<ToPrivateHost*>(ctx)->host_be, pkts[i]);
  }
};

class NeighbourWorkerTest : public RingPortsTest {
 protected:
  void SetUp() override {
    RingPortsTest::SetUp();
    arp_seen_ = create_arp_observation_ring("nbr_seen" + std::to_string(g_ring_number++), 64);
    ASSERT_NE(arp_seen_, nullptr);
    shared_.arp_seen = arp_seen_;
    shared_.resolve = &requests_;
    resolver_ = std::make_unique<NeighbourResolver>(
        neighbours_,
        std::vector<NeighbourPort>{{*Ipv4Addr::parse("198.51.100.1"), 24, Ipv4Addr{}},
                                   {*Ipv4Addr::parse("198.18.1.1"), 24, Ipv4Addr{}}},
        [this](uint16_t port, Ipv4Addr target, const rte_ether_addr* to) {
          return resolve_next_hop(pool_, shared_.ports[port], target, to);
        });
    hook_.host_be = be_ip("198.18.1.10");
    shared_.hook = {&hook_, &ToPrivateHost::handle};
    WorkerConfig config;
    config.drains_control_tx = true;
    worker(config);
  }
  void TearDown() override {
    worker_.reset();  // frees what it still holds
    free_arp_observation_ring(arp_seen_);
    RingPortsTest::TearDown();
  }
  // The control thread's turn, as DataplaneRuntime::poll_control takes it.
  void control_turn() {
    const auto now = std::chrono::steady_clock::now();
    ArpObservation seen[16];
    for (unsigned k; (k = take_arp_observations(arp_seen_, seen, 16)) > 0;)
      for (unsigned i = 0; i < k; ++i) resolver_->on_arp(seen[i], now);
    for (const auto& [port, ip] : requests_.take()) resolver_->want(port, ip, now);
  }
  rte_mbuf* packet_from_tunnel(uint32_t spi) {
    return esp_frame(pool_, shared_.ports[kPublic].mac, be_ip("198.51.100.2"), public_ip_be_, spi);
  }

  rte_ring* arp_seen_ = nullptr;
  ResolveRequests requests_;
  std::unique_ptr<NeighbourResolver> resolver_;
  ToPrivateHost hook_;
};

TEST_F(NeighbourWorkerTest, FirstPacketToAnUnresolvedOnLinkHostWaitsForTheArpAnswer) {
  WorkerContext& w = *worker_;
  const PortRuntime& priv = shared_.ports[kPrivate];
  inject(kPublic, packet_from_tunnel(1));
  worker_poll_once(w);
  EXPECT_TRUE(transmitted(kPrivate).empty());
  EXPECT_EQ(counters_.neighbour_held, 1u);
  EXPECT_EQ(counters_.drops[index_of(DropReason::no_neighbour)], 0u);

  // The control thread sees the request and asks; a worker sends the ARP.
  control_turn();
  worker_poll_once(w);
  auto out = transmitted(kPrivate);
  ASSERT_EQ(out.size(), 1u);
  const auto* eth = rte_pktmbuf_mtod(out[0], const rte_ether_hdr*);
  EXPECT_TRUE(rte_is_broadcast_ether_addr(&eth->dst_addr));
  const auto* arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1);
  EXPECT_EQ(arp->arp_opcode, rte_cpu_to_be_16(RTE_ARP_OP_REQUEST));
  EXPECT_EQ(arp->arp_data.arp_tip, hook_.host_be);
  EXPECT_EQ(arp->arp_data.arp_sip, private_ip_be_);
  free_all(out);

  // The host answers: the worker passes it on (not as a punted frame), the
  // control thread learns it, and the held packet leaves to the host's MAC.
  inject(kPrivate, arp_frame(pool_, RTE_ARP_OP_REPLY, kHostMac, hook_.host_be, priv.mac, private_ip_be_));
  worker_poll_once(w);
  EXPECT_TRUE(punted().empty());
  control_turn();
  worker_poll_once(w);
  out = transmitted(kPrivate);
  ASSERT_EQ(out.size(), 1u);
  eth = rte_pktmbuf_mtod(out[0], const rte_ether_hdr*);
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->dst_addr, &kHostMac));
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->src_addr, &priv.mac));
  EXPECT_EQ(counters_.neighbour_released, 1u);
  free_all(out);

  // Later packets go straight out.
  inject(kPublic, packet_from_tunnel(2));
  worker_poll_once(w);
  out = transmitted(kPrivate);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(counters_.neighbour_held, 1u);
  free_all(out);
}

TEST_F(NeighbourWorkerTest, PacketsBeyondTheQueueAreCountedAndTheRestExpire) {
  WorkerContext& w = *worker_;
  for (uint32_t spi = 1; spi <= 5; ++spi) inject(kPublic, packet_from_tunnel(spi));
  worker_poll_once(w);
  EXPECT_EQ(counters_.neighbour_held, UnresolvedQueue::kPacketsPerDestination);
  EXPECT_EQ(counters_.drops[index_of(DropReason::neighbour_queue_full)], 5u - UnresolvedQueue::kPacketsPerDestination);
  // Nobody answers: past the wait, the held packets are dropped and counted.
  shared_.unresolved_wait = 1;  // TSC cycles: the next check is past it
  inject(kPublic, packet_from_tunnel(9));  // another destination's deadline with the new wait
  hook_.host_be = be_ip("198.18.1.11");
  worker_poll_once(w);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  worker_poll_once(w);
  // The first destination still has its three-second deadline; the second is past.
  EXPECT_EQ(counters_.drops[index_of(DropReason::no_neighbour)], 1u);
  EXPECT_EQ(w.unresolved.packets(), UnresolvedQueue::kPacketsPerDestination);
  EXPECT_TRUE(transmitted(kPrivate).empty());
}

TEST_F(NeighbourWorkerTest, ArpRequestForUsIsAnsweredAndTeachesTheSenderOnce) {
  WorkerContext& w = *worker_;
  const PortRuntime& priv = shared_.ports[kPrivate];
  const uint32_t sender = be_ip("198.18.1.20");
  const rte_ether_addr zero{};
  inject(kPrivate, arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, sender, zero, private_ip_be_));
  worker_poll_once(w);
  auto out = transmitted(kPrivate);
  ASSERT_EQ(out.size(), 1u);  // answered at once
  free_all(out);
  control_turn();
  rte_ether_addr mac{};
  ASSERT_TRUE(neighbours_.lookup_be(sender, &mac, false));
  EXPECT_TRUE(rte_is_same_ether_addr(&mac, &kHostMac));

  // The same request again tells nothing new: no record is posted.
  inject(kPrivate, arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, sender, zero, private_ip_be_));
  worker_poll_once(w);
  out = transmitted(kPrivate);
  EXPECT_EQ(out.size(), 1u);
  free_all(out);
  ArpObservation seen[4];
  EXPECT_EQ(take_arp_observations(arp_seen_, seen, 4), 0u);

  // A packet to it needs no ARP at all.
  hook_.host_be = sender;
  inject(kPublic, packet_from_tunnel(3));
  worker_poll_once(w);
  out = transmitted(kPrivate);
  ASSERT_EQ(out.size(), 1u);
  const auto* eth = rte_pktmbuf_mtod(out[0], const rte_ether_hdr*);
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->dst_addr, &kHostMac));
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->src_addr, &priv.mac));
  free_all(out);
}

// A flood of ARP fills the record ring, not the punt ring: IKE still gets
// through, and what was lost is counted.
TEST_F(NeighbourWorkerTest, ArpFloodCannotCrowdIkeOutOfThePuntRing) {
  WorkerContext& w = *worker_;
  const PortRuntime& priv = shared_.ports[kPrivate];
  for (int round = 0; round < 8; ++round) {
    for (uint32_t i = 0; i < 30; ++i) {
      const rte_ether_addr mac{{0x02, 0x66, 0, 0, static_cast<uint8_t>(round), static_cast<uint8_t>(i)}};
      inject(kPrivate, arp_frame(pool_, RTE_ARP_OP_REPLY, mac, rte_cpu_to_be_32(rte_be_to_cpu_32(be_ip("198.18.1.100")) + i),
                                 priv.mac, private_ip_be_));
    }
    worker_poll_once(w);
  }
  inject(kPublic, udp_frame(pool_, shared_.ports[kPublic].mac, be_ip("198.51.100.2"), public_ip_be_, 500, {1, 2, 3, 4}));
  worker_poll_once(w);
  auto punts = punted();
  EXPECT_EQ(punts.size(), 1u);  // only the IKE packet
  free_all(punts);
  EXPECT_EQ(counters_.ports[kPrivate].arp_observations_lost, 240u - 63u);  // a 64-slot ring holds 63
  EXPECT_EQ(counters_.drops[index_of(DropReason::punt_ring_full)], 0u);
  control_turn();
  EXPECT_EQ(neighbours_.size(), 0u);  // replies nobody asked for teach nothing
  EXPECT_EQ(resolver_->counters().unsolicited_ignored, 63u);
}

}  // namespace
}  // namespace vpngw::dataplane::io::test
