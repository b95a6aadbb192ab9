// ARP on ring-backed ports: requests for our addresses are answered with every
// field right; anything else gets no answer.
#include <gtest/gtest.h>
#include <rte_arp.h>
#include <rte_byteorder.h>

#include "tests/dataplane/io/frames.hpp"
#include "tests/dataplane/io/ring_ports.hpp"

namespace vpngw::dataplane::io::test {
namespace {

using ArpTest = RingPortsTest;

const rte_ether_addr kZeroMac{};

void expect_arp_reply(const rte_mbuf* m, const rte_ether_addr& our_mac, uint32_t our_ip_be,
                      uint32_t requester_ip_be) {
  ASSERT_EQ(m->data_len, sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr));
  const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->dst_addr, &kHostMac));
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->src_addr, &our_mac));
  EXPECT_EQ(eth->ether_type, rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP));
  const auto* arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1);
  EXPECT_EQ(arp->arp_hardware, rte_cpu_to_be_16(RTE_ARP_HRD_ETHER));
  EXPECT_EQ(arp->arp_protocol, rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4));
  EXPECT_EQ(arp->arp_hlen, 6);
  EXPECT_EQ(arp->arp_plen, 4);
  EXPECT_EQ(arp->arp_opcode, rte_cpu_to_be_16(RTE_ARP_OP_REPLY));
  EXPECT_TRUE(rte_is_same_ether_addr(&arp->arp_data.arp_sha, &our_mac));
  EXPECT_EQ(arp->arp_data.arp_sip, our_ip_be);
  EXPECT_TRUE(rte_is_same_ether_addr(&arp->arp_data.arp_tha, &kHostMac));
  EXPECT_EQ(arp->arp_data.arp_tip, requester_ip_be);
}

TEST_F(ArpTest, RequestForPortAddressIsAnsweredOnThatPort) {
  WorkerContext& w = worker();
  const uint32_t host = be_ip("198.51.100.2");
  inject(kPublic, arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, host, kZeroMac, public_ip_be_));
  EXPECT_EQ(worker_poll_once(w), 1u);
  auto out = transmitted(kPublic);
  ASSERT_EQ(out.size(), 1u);
  expect_arp_reply(out[0], shared_.ports[kPublic].mac, public_ip_be_, host);
  EXPECT_TRUE(transmitted(kPrivate).empty());
  EXPECT_EQ(counters_.ports[kPublic].arp_replies_sent, 1u);
  EXPECT_EQ(counters_.ports[kPublic].tx_packets, 1u);
  free_all(out);
}

TEST_F(ArpTest, PrivatePortAnswersForItsOwnAddress) {
  WorkerContext& w = worker();
  const uint32_t host = be_ip("198.18.1.2");
  inject(kPrivate, arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, host, kZeroMac, private_ip_be_));
  worker_poll_once(w);
  auto out = transmitted(kPrivate);
  ASSERT_EQ(out.size(), 1u);
  expect_arp_reply(out[0], shared_.ports[kPrivate].mac, private_ip_be_, host);
  free_all(out);
}

TEST_F(ArpTest, ForeignAddressGetsNoAnswer) {
  WorkerContext& w = worker();
  const uint32_t host = be_ip("198.51.100.2");
  inject(kPublic, arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, host, kZeroMac,
                            be_ip("198.51.100.77")));
  // The private port's address asked on the public port is not ours there.
  inject(kPublic, arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, host, kZeroMac, private_ip_be_));
  worker_poll_once(w);
  EXPECT_TRUE(transmitted(kPublic).empty());
  EXPECT_TRUE(transmitted(kPrivate).empty());
  EXPECT_EQ(counters_.drops[index_of(DropReason::not_for_us)], 2u);
  EXPECT_EQ(counters_.ports[kPublic].arp_replies_sent, 0u);
}

TEST_F(ArpTest, GatewayIpsAreAnsweredOnlyWhileInTheSetAndOnlyOnThePublicPort) {
  WorkerContext& w = worker();
  const uint32_t host = be_ip("198.51.100.2");
  const uint32_t gw = be_ip("198.51.100.10");
  ASSERT_TRUE(gateway_ips_.add(*Ipv4Addr::parse("198.51.100.10")));
  inject(kPublic, arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, host, kZeroMac, gw));
  inject(kPrivate, arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, be_ip("198.18.1.2"), kZeroMac,
                             gw));
  worker_poll_once(w);
  auto out = transmitted(kPublic);
  ASSERT_EQ(out.size(), 1u);
  expect_arp_reply(out[0], shared_.ports[kPublic].mac, gw, host);
  free_all(out);
  EXPECT_TRUE(transmitted(kPrivate).empty());

  ASSERT_TRUE(gateway_ips_.remove(*Ipv4Addr::parse("198.51.100.10")));
  inject(kPublic, arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, host, kZeroMac, gw));
  worker_poll_once(w);
  EXPECT_TRUE(transmitted(kPublic).empty());
}

TEST_F(ArpTest, TruncatedArpIsCountedMalformed) {
  WorkerContext& w = worker();
  rte_mbuf* m = arp_frame(pool_, RTE_ARP_OP_REQUEST, kHostMac, be_ip("198.51.100.2"), kZeroMac,
                          public_ip_be_);
  rte_pktmbuf_trim(m, 10);
  inject(kPublic, m);
  worker_poll_once(w);
  EXPECT_TRUE(transmitted(kPublic).empty());
  EXPECT_EQ(counters_.drops[index_of(DropReason::malformed)], 1u);
}

}  // namespace
}  // namespace vpngw::dataplane::io::test
