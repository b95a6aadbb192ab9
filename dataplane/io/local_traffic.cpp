#include "dataplane/io/local_traffic.hpp"

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <cstring>

#include "dataplane/io/address_set.hpp"

namespace vpngw::dataplane::io {

namespace {

constexpr uint8_t kEchoReplyTtl = 64;

PacketClass classify_arp(const rte_mbuf* m, const PortRuntime& port) {
  if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)) return PacketClass::malformed;
  const auto* arp = rte_pktmbuf_mtod_offset(m, const rte_arp_hdr*, sizeof(rte_ether_hdr));
  if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
      arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
      arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
    return PacketClass::malformed;
  const uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
  if (op == RTE_ARP_OP_REPLY) return PacketClass::arp_reply;
  if (op == RTE_ARP_OP_REQUEST && is_local_address(port, arp->arp_data.arp_tip))
    return PacketClass::arp_request_for_us;
  return PacketClass::arp_not_for_us;
}

PacketClass classify_ipv4(const rte_mbuf* m, const PortRuntime& port) {
  const uint32_t l2 = sizeof(rte_ether_hdr);
  if (m->data_len < l2 + sizeof(rte_ipv4_hdr)) return PacketClass::malformed;
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, l2);
  const uint32_t ihl = rte_ipv4_hdr_len(ip);
  const uint32_t total = rte_be_to_cpu_16(ip->total_length);
  if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(rte_ipv4_hdr) || total < ihl ||
      l2 + total > m->data_len)
    return PacketClass::malformed;
  if (!is_local_address(port, ip->dst_addr)) return PacketClass::forward;
  // Fragments go to the forwarding stages, which own reassembly policy.
  const uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);
  if ((frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0) return PacketClass::forward;
  const uint32_t payload = total - ihl;
  if (ip->next_proto_id == IPPROTO_ICMP) {
    if (payload < sizeof(rte_icmp_hdr)) return PacketClass::malformed;
    const auto* icmp = rte_pktmbuf_mtod_offset(m, const rte_icmp_hdr*, l2 + ihl);
    if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST && icmp->icmp_code == 0) {
      // We answer from these headers, so they must be intact (a host's stack
      // would drop them too). Ping only: not on the ESP path.
      if (rte_raw_cksum(ip, ihl) != 0xffff || rte_raw_cksum(icmp, payload) != 0xffff)
        return PacketClass::malformed;
      return PacketClass::icmp_echo_for_us;
    }
    return PacketClass::forward;
  }
  if (ip->next_proto_id == IPPROTO_UDP) {
    if (payload < sizeof(rte_udp_hdr)) return PacketClass::malformed;
    const auto* udp = rte_pktmbuf_mtod_offset(m, const rte_udp_hdr*, l2 + ihl);
    const uint16_t dport = rte_be_to_cpu_16(udp->dst_port);
    if (dport == kIkePort) return PacketClass::ike;
    if (dport == kNatTPort) {
      // RFC 3948: four zero bytes where an SPI would be mark IKE; a one-byte
      // 0xff payload is a NAT-T keepalive, which IKE also wants to see.
      const uint32_t body = payload - sizeof(rte_udp_hdr);
      const uint8_t* p = rte_pktmbuf_mtod_offset(m, const uint8_t*,
                                                 l2 + ihl + sizeof(rte_udp_hdr));
      if (body >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0) return PacketClass::ike;
      if (body == 1 && p[0] == 0xff) return PacketClass::ike;
      return PacketClass::forward;
    }
  }
  return PacketClass::forward;
}

}  // namespace

bool is_local_address(const PortRuntime& port, uint32_t ip_be) {
  if (ip_be == port.address_be) return true;
  return port.extra_addresses != nullptr && port.extra_addresses->contains_be(ip_be);
}

PacketClass classify(const rte_mbuf* m, const PortRuntime& port) {
  if (m->data_len < sizeof(rte_ether_hdr)) return PacketClass::malformed;
  const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) return classify_arp(m, port);
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) return classify_ipv4(m, port);
  return PacketClass::forward;
}

void make_arp_reply(rte_mbuf* m, const PortRuntime& port) {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* arp = rte_pktmbuf_mtod_offset(m, rte_arp_hdr*, sizeof(rte_ether_hdr));
  rte_arp_ipv4& d = arp->arp_data;
  const uint32_t asked_for = d.arp_tip;
  eth->dst_addr = d.arp_sha;
  eth->src_addr = port.mac;
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
  d.arp_tha = d.arp_sha;
  d.arp_tip = d.arp_sip;
  d.arp_sha = port.mac;
  d.arp_sip = asked_for;
}

void make_echo_reply(rte_mbuf* m, const PortRuntime& port) {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  const rte_ether_addr requester = eth->src_addr;
  eth->dst_addr = requester;
  eth->src_addr = port.mac;
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  const uint32_t ihl = rte_ipv4_hdr_len(ip);
  const uint32_t icmp_len = rte_be_to_cpu_16(ip->total_length) - ihl;
  const uint32_t requester_ip = ip->src_addr;
  ip->src_addr = ip->dst_addr;
  ip->dst_addr = requester_ip;
  ip->time_to_live = kEchoReplyTtl;
  ip->hdr_checksum = 0;
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(reinterpret_cast<uint8_t*>(ip) + ihl);
  icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
  icmp->icmp_cksum = 0;
  const uint16_t sum = rte_raw_cksum(icmp, icmp_len);
  icmp->icmp_cksum = sum == 0xffff ? sum : static_cast<uint16_t>(~sum);
}

rte_mbuf* build_arp_request(rte_mempool* pool, const PortRuntime& port, Ipv4Addr target,
                            const rte_ether_addr* to) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  if (m == nullptr) return nullptr;
  constexpr uint16_t kLen = sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr);
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, kLen));
  if (to != nullptr) {
    eth->dst_addr = *to;
  } else {
    std::memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
  }
  eth->src_addr = port.mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = RTE_ETHER_ADDR_LEN;
  arp->arp_plen = 4;
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
  arp->arp_data.arp_sha = port.mac;
  arp->arp_data.arp_sip = port.address_be;
  std::memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
  arp->arp_data.arp_tip = rte_cpu_to_be_32(target.value);
  return m;
}

}  // namespace vpngw::dataplane::io
