#include "tests/dataplane/io/frames.hpp"

#include <arpa/inet.h>
#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <cstring>

namespace vpngw::dataplane::io::test {

namespace {

rte_ether_hdr* start(rte_mempool* pool, rte_mbuf** out, uint16_t len, const rte_ether_addr& dst,
                     uint16_t ether_type) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, len));
  std::memset(eth, 0, len);
  eth->dst_addr = dst;
  eth->src_addr = kHostMac;
  eth->ether_type = rte_cpu_to_be_16(ether_type);
  *out = m;
  return eth;
}

rte_ipv4_hdr* ipv4(rte_ether_hdr* eth, uint8_t proto, uint32_t src_be, uint32_t dst_be,
                   uint16_t l4_len) {
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(sizeof(rte_ipv4_hdr) + l4_len));
  ip->packet_id = rte_cpu_to_be_16(0x1234);
  ip->time_to_live = 61;
  ip->next_proto_id = proto;
  ip->src_addr = src_be;
  ip->dst_addr = dst_be;
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  return ip;
}

}  // namespace

uint32_t be_ip(const char* dotted) {
  in_addr a{};
  inet_pton(AF_INET, dotted, &a);
  return a.s_addr;
}

rte_mbuf* arp_frame(rte_mempool* pool, uint16_t op, const rte_ether_addr& sha, uint32_t sip_be,
                    const rte_ether_addr& tha, uint32_t tip_be) {
  rte_mbuf* m = nullptr;
  rte_ether_addr bcast;
  std::memset(&bcast, 0xff, sizeof(bcast));
  auto* eth = start(pool, &m, sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr),
                    op == RTE_ARP_OP_REQUEST ? bcast : tha, RTE_ETHER_TYPE_ARP);
  eth->src_addr = sha;
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = 6;
  arp->arp_plen = 4;
  arp->arp_opcode = rte_cpu_to_be_16(op);
  arp->arp_data.arp_sha = sha;
  arp->arp_data.arp_sip = sip_be;
  arp->arp_data.arp_tha = tha;
  arp->arp_data.arp_tip = tip_be;
  return m;
}

rte_mbuf* icmp_echo_frame(rte_mempool* pool, const rte_ether_addr& dst_mac, uint32_t src_be,
                          uint32_t dst_be, uint16_t id, uint16_t seq,
                          const std::vector<uint8_t>& payload) {
  const auto l4 = static_cast<uint16_t>(sizeof(rte_icmp_hdr) + payload.size());
  rte_mbuf* m = nullptr;
  auto* eth = start(pool, &m, sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + l4, dst_mac,
                    RTE_ETHER_TYPE_IPV4);
  auto* ip = ipv4(eth, IPPROTO_ICMP, src_be, dst_be, l4);
  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(ip + 1);
  icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
  icmp->icmp_ident = rte_cpu_to_be_16(id);
  icmp->icmp_seq_nb = rte_cpu_to_be_16(seq);
  if (!payload.empty()) std::memcpy(icmp + 1, payload.data(), payload.size());
  icmp->icmp_cksum = static_cast<uint16_t>(~rte_raw_cksum(icmp, l4));
  return m;
}

rte_mbuf* udp_frame(rte_mempool* pool, const rte_ether_addr& dst_mac, uint32_t src_be,
                    uint32_t dst_be, uint16_t dport, const std::vector<uint8_t>& payload) {
  const auto l4 = static_cast<uint16_t>(sizeof(rte_udp_hdr) + payload.size());
  rte_mbuf* m = nullptr;
  auto* eth = start(pool, &m, sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + l4, dst_mac,
                    RTE_ETHER_TYPE_IPV4);
  auto* ip = ipv4(eth, IPPROTO_UDP, src_be, dst_be, l4);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  udp->src_port = rte_cpu_to_be_16(dport);
  udp->dst_port = rte_cpu_to_be_16(dport);
  udp->dgram_len = rte_cpu_to_be_16(l4);
  if (!payload.empty()) std::memcpy(udp + 1, payload.data(), payload.size());
  return m;
}

rte_mbuf* esp_frame(rte_mempool* pool, const rte_ether_addr& dst_mac, uint32_t src_be,
                    uint32_t dst_be, uint32_t spi) {
  constexpr uint16_t kL4 = 40;
  rte_mbuf* m = nullptr;
  auto* eth = start(pool, &m, sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + kL4, dst_mac,
                    RTE_ETHER_TYPE_IPV4);
  auto* ip = ipv4(eth, IPPROTO_ESP, src_be, dst_be, kL4);
  const uint32_t spi_be = rte_cpu_to_be_32(spi);
  std::memcpy(ip + 1, &spi_be, sizeof(spi_be));
  return m;
}

bool checksum_ok(const void* data, size_t len) { return rte_raw_cksum(data, len) == 0xffff; }

}  // namespace vpngw::dataplane::io::test
