// The two directions of the forwarding hook and the helpers they share.
// Internal to dataplane/forward/.
#pragma once

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/forward/forward_context.hpp"

namespace vpngw::dataplane::forward {

// Largest burst a stage takes in one call; forward_burst cuts bigger ones.
inline constexpr uint16_t kStageBurst = 32;

// n <= kStageBurst frames from the private port (Ethernet first).
void forward_outbound(ForwardContext& ctx, io::WorkerContext& worker, rte_mbuf** pkts,
                      uint16_t n);
// n <= kStageBurst frames from the public port (Ethernet first).
void forward_inbound(ForwardContext& ctx, io::WorkerContext& worker, rte_mbuf** pkts,
                     uint16_t n);

// Finish every packet the direction's crypto queue still holds and send
// it on. Inbound first: finishing it may queue ICMP errors for outbound.
void flush_inbound(ForwardContext& ctx, io::WorkerContext& worker);
void flush_outbound(ForwardContext& ctx, io::WorkerContext& worker);

// Counts the drop in the worker's counters and frees the packet.
inline void drop_packet(io::WorkerContext& worker, DropReason why, rte_mbuf* m) {
  worker.counters->drop(why);
  rte_pktmbuf_free(m);
}

// The IPv4 header right after the Ethernet header, or null when the frame is
// not IPv4, is a chained mbuf, or its header is not sane (version, IHL,
// total length within the frame).
inline rte_ipv4_hdr* ipv4_after_ethernet(rte_mbuf* m) {
  if (!RTE_MBUF_DIRECT(m) || m->nb_segs != 1) return nullptr;
  if (rte_pktmbuf_data_len(m) < sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr)) return nullptr;
  const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) return nullptr;
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  const uint32_t ihl = rte_ipv4_hdr_len(ip);
  const uint32_t total = rte_be_to_cpu_16(ip->total_length);
  if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(rte_ipv4_hdr) || total < ihl ||
      total > rte_pktmbuf_data_len(m) - sizeof(rte_ether_hdr))
    return nullptr;
  return ip;
}

// Drops the Ethernet header and any Ethernet padding after the IPv4 packet,
// leaving the data at the IPv4 header (what the ESP core expects).
inline void strip_ethernet(rte_mbuf* m, const rte_ipv4_hdr* ip) {
  const uint16_t total = rte_be_to_cpu_16(ip->total_length);
  rte_pktmbuf_adj(m, sizeof(rte_ether_hdr));
  if (rte_pktmbuf_pkt_len(m) > total)
    rte_pktmbuf_trim(m, static_cast<uint16_t>(rte_pktmbuf_pkt_len(m) - total));
}

// Puts an IPv4 Ethernet header in front of the packet (addresses are filled
// in by send_to_next_hop). False when there is no headroom.
inline bool prepend_ethernet(rte_mbuf* m) {
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, sizeof(rte_ether_hdr)));
  if (eth == nullptr) return false;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  return true;
}

// The next hop toward `dst_be` on a port: the address itself when it is on
// the port's subnet, else the port's default next hop (0 when none).
inline uint32_t next_hop_toward(const io::PortRuntime& port, uint32_t dst_be) {
  if (port.netmask_be != 0 && (dst_be & port.netmask_be) == (port.address_be & port.netmask_be))
    return dst_be;
  return port.next_hop_be;
}

// Sends a frame whose SA another worker owns to that worker's handoff ring.
// The frame keeps its Ethernet header so the owner runs the whole stage
// again (its own lookups: no SA pointer crosses workers); mbuf->port is set
// to the arrival port's DPDK id so the owner knows the direction.
void hand_off(ForwardContext& ctx, io::WorkerContext& worker, uint16_t port_index,
              uint16_t owner, rte_mbuf* m);

// ICMP errors from the gateway's private address. `ip` is a packet the
// worker is not forwarding; `len` bytes of it are readable.
//   send_icmp_error: to a VPC host, out of the private port.
//   icmp_error_frame: the same message as a frame for the outbound stage,
//   for a host on the far side of a tunnel.
// Both apply RFC 1812's rules and the worker's rate limit; nothing is sent
// when either says no.
void send_icmp_error(ForwardContext& ctx, io::WorkerContext& worker, const rte_ipv4_hdr* ip,
                     uint32_t len, uint8_t type, uint8_t code, uint16_t next_hop_mtu,
                     rte_mempool* pool);
rte_mbuf* icmp_error_frame(ForwardContext& ctx, io::WorkerContext& worker,
                           const rte_ipv4_hdr* ip, uint32_t len, uint8_t type, uint8_t code,
                           uint16_t next_hop_mtu, rte_mempool* pool);

}  // namespace vpngw::dataplane::forward
