// Ping to our addresses: answered in place with valid checksums; ping to
// anyone else is not ours to answer.
#include <gtest/gtest.h>
#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include <cstring>
#include <vector>

#include "tests/dataplane/io/frames.hpp"
#include "tests/dataplane/io/ring_ports.hpp"

namespace vpngw::dataplane::io::test {
namespace {

using IcmpTest = RingPortsTest;

const std::vector<uint8_t> kPayload{'v', 'p', 'n', 'g', 'w', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 17};

void expect_echo_reply(const rte_mbuf* m, const rte_ether_addr& our_mac, uint32_t our_ip_be,
                       uint32_t host_be, uint16_t id, uint16_t seq) {
  const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->dst_addr, &kHostMac));
  EXPECT_TRUE(rte_is_same_ether_addr(&eth->src_addr, &our_mac));
  EXPECT_EQ(eth->ether_type, rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4));
  const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
  EXPECT_EQ(ip->src_addr, our_ip_be);
  EXPECT_EQ(ip->dst_addr, host_be);
  EXPECT_EQ(ip->next_proto_id, IPPROTO_ICMP);
  EXPECT_GT(ip->time_to_live, 1);
  EXPECT_TRUE(checksum_ok(ip, sizeof(rte_ipv4_hdr))) << "IPv4 header checksum";
  const uint16_t icmp_len = rte_be_to_cpu_16(ip->total_length) - sizeof(rte_ipv4_hdr);
  ASSERT_EQ(icmp_len, sizeof(rte_icmp_hdr) + kPayload.size());
  const auto* icmp = reinterpret_cast<const rte_icmp_hdr*>(ip + 1);
  EXPECT_EQ(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
  EXPECT_EQ(icmp->icmp_code, 0);
  EXPECT_EQ(icmp->icmp_ident, rte_cpu_to_be_16(id));
  EXPECT_EQ(icmp->icmp_seq_nb, rte_cpu_to_be_16(seq));
  EXPECT_TRUE(checksum_ok(icmp, icmp_len)) << "ICMP checksum";
  EXPECT_EQ(std::memcmp(icmp + 1, kPayload.data(), kPayload.size()), 0);
}

// Records what the forwarding hook was handed, then frees it.
struct HookLog {
  std::vector<uint16_t> ports;
  static void handle(void* ctx, WorkerContext&, uint16_t port_index, rte_mbuf** pkts,
                     uint16_t n) {
    auto* log = static_cast<HookLog*>(ctx);
    for (uint16_t i = 0; i < n; ++i) {
      log->ports.push_back(port_index);
      rte_pktmbuf_free(pkts[i]);
    }
  }
};

TEST_F(IcmpTest, EchoToPublicAddressIsAnswered) {
  WorkerContext& w = worker();
  const uint32_t host = be_ip("198.51.100.2");
  inject(kPublic, icmp_echo_frame(pool_, shared_.ports[kPublic].mac, host, public_ip_be_, 0x4242,
                                  7, kPayload));
  worker_poll_once(w);
  auto out = transmitted(kPublic);
  ASSERT_EQ(out.size(), 1u);
  expect_echo_reply(out[0], shared_.ports[kPublic].mac, public_ip_be_, host, 0x4242, 7);
  EXPECT_EQ(counters_.ports[kPublic].icmp_replies_sent, 1u);
  free_all(out);
}

TEST_F(IcmpTest, EchoToPrivateAddressAndGatewayIpIsAnswered) {
  WorkerContext& w = worker();
  const uint32_t vpc_host = be_ip("198.18.1.2");
  inject(kPrivate, icmp_echo_frame(pool_, shared_.ports[kPrivate].mac, vpc_host, private_ip_be_,
                                   1, 2, kPayload));
  ASSERT_TRUE(gateway_ips_.add(*Ipv4Addr::parse("198.51.100.10")));
  const uint32_t peer = be_ip("198.51.100.2");
  const uint32_t gw = be_ip("198.51.100.10");
  inject(kPublic, icmp_echo_frame(pool_, shared_.ports[kPublic].mac, peer, gw, 3, 4, kPayload));
  worker_poll_once(w);
  auto priv = transmitted(kPrivate);
  ASSERT_EQ(priv.size(), 1u);
  expect_echo_reply(priv[0], shared_.ports[kPrivate].mac, private_ip_be_, vpc_host, 1, 2);
  auto pub = transmitted(kPublic);
  ASSERT_EQ(pub.size(), 1u);
  expect_echo_reply(pub[0], shared_.ports[kPublic].mac, gw, peer, 3, 4);
  free_all(priv);
  free_all(pub);
}

TEST_F(IcmpTest, EchoToSomeoneElseGoesToTheForwardingHook) {
  HookLog log;
  shared_.hook = {&log, &HookLog::handle};
  WorkerContext& w = worker();
  inject(kPrivate, icmp_echo_frame(pool_, shared_.ports[kPrivate].mac, be_ip("198.18.1.2"),
                                   be_ip("203.0.113.9"), 1, 1, kPayload));
  worker_poll_once(w);
  EXPECT_TRUE(transmitted(kPrivate).empty());
  EXPECT_TRUE(transmitted(kPublic).empty());
  EXPECT_EQ(log.ports, std::vector<uint16_t>{kPrivate});
  EXPECT_EQ(counters_.ports[kPrivate].icmp_replies_sent, 0u);
}

TEST_F(IcmpTest, WithoutHookTransitTrafficIsDroppedAndCounted) {
  WorkerContext& w = worker();
  inject(kPrivate, icmp_echo_frame(pool_, shared_.ports[kPrivate].mac, be_ip("198.18.1.2"),
                                   be_ip("203.0.113.9"), 1, 1, kPayload));
  worker_poll_once(w);
  EXPECT_EQ(counters_.drops[index_of(DropReason::no_handler)], 1u);
}

TEST_F(IcmpTest, EchoWithBadChecksumIsNotAnswered) {
  WorkerContext& w = worker();
  rte_mbuf* m = icmp_echo_frame(pool_, shared_.ports[kPublic].mac, be_ip("198.51.100.2"),
                                public_ip_be_, 1, 1, kPayload);
  auto* icmp = rte_pktmbuf_mtod_offset(m, rte_icmp_hdr*,
                                       sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr));
  icmp->icmp_cksum ^= 0x0101;
  inject(kPublic, m);
  worker_poll_once(w);
  EXPECT_TRUE(transmitted(kPublic).empty());
  EXPECT_EQ(counters_.drops[index_of(DropReason::malformed)], 1u);
}

TEST_F(IcmpTest, TruncatedIpv4IsCountedMalformed) {
  WorkerContext& w = worker();
  rte_mbuf* m = icmp_echo_frame(pool_, shared_.ports[kPublic].mac, be_ip("198.51.100.2"),
                                public_ip_be_, 1, 1, kPayload);
  rte_pktmbuf_trim(m, 12);  // IPv4 total length now exceeds the frame
  inject(kPublic, m);
  worker_poll_once(w);
  EXPECT_TRUE(transmitted(kPublic).empty());
  EXPECT_EQ(counters_.drops[index_of(DropReason::malformed)], 1u);
}

}  // namespace
}  // namespace vpngw::dataplane::io::test
