// Inbound: ESP and ESP-in-UDP from the public port become inner packets on
// the private port. As outbound, each step works on the whole burst and
// compacts the survivors. After decryption the gateway routes the inner
// packet: TTL (an expired one gets ICMP time exceeded, sent back through
// the tunnel by the outbound stage) and MSS clamping for the return path.
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "dataplane/esp_decap.hpp"
#include "dataplane/forward/inner_ip.hpp"
#include "dataplane/forward/stages.hpp"
#include "dataplane/io/local_traffic.hpp"

namespace vpngw::dataplane::forward {

namespace {

inline constexpr uint16_t kNatTraversalPort = 4500;  // RFC 3948

struct InboundBurst {
  std::array<rte_mbuf*, kStageBurst> pkts;
  std::array<InboundKey, kStageBurst> keys;
  std::array<SaRef<InboundSa>, kStageBurst> refs;
  std::array<InboundSa*, kStageBurst> sas;
  uint16_t n = 0;
};

// Offset of the ESP header from the IPv4 header, or 0 when the packet is not
// ESP (proto 50) or ESP-in-UDP to port 4500 with room for the SPI. The I/O
// layer has already punted IKE (the non-ESP marker) to the control thread.
uint32_t esp_offset(const rte_ipv4_hdr* ip) {
  const uint32_t ihl = rte_ipv4_hdr_len(ip);
  const uint32_t total = rte_be_to_cpu_16(ip->total_length);
  uint32_t off = 0;
  if (ip->next_proto_id == IPPROTO_ESP) {
    off = ihl;
  } else if (ip->next_proto_id == IPPROTO_UDP && total >= ihl + sizeof(rte_udp_hdr)) {
    const auto* udp = reinterpret_cast<const rte_udp_hdr*>(
        reinterpret_cast<const uint8_t*>(ip) + ihl);
    if (udp->dst_port != rte_cpu_to_be_16(kNatTraversalPort)) return 0;
    off = ihl + sizeof(rte_udp_hdr);
  } else {
    return 0;
  }
  // The ESP core checks fragments and lengths with its own reasons; here
  // only the SPI must be readable.
  return off + sizeof(uint32_t) <= total ? off : 0;
}

// An outer fragment of ESP or ESP-in-UDP to one of our addresses goes into
// the worker's reassembly table; anything else fragmented is dropped. Returns
// the whole packet when this fragment completed one, else null.
rte_mbuf* reassemble(ForwardContext& ctx, io::WorkerContext& worker, rte_mbuf* m,
                     rte_ipv4_hdr* ip) {
  const bool ours = io::is_local_address(worker.shared->ports[kPublicPort], ip->dst_addr) &&
                    (ip->next_proto_id == IPPROTO_ESP || ip->next_proto_id == IPPROTO_UDP);
  if (ctx.reassembly == nullptr || !ours) {
    drop_packet(worker, DropReason::fragmented, m);
    return nullptr;
  }
  return ctx.reassembly->add(m, ip, ctx.shared->now());
}

// Ethernet off, fragments reassembled, ESP found, key built; survivors keep
// their order.
void parse(ForwardContext& ctx, io::WorkerContext& worker, rte_mbuf** in, uint16_t n,
           InboundBurst& b) {
  bool fragments = false;
  for (uint16_t i = 0; i < n; ++i) {
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(in[i + 1], void*));
    rte_mbuf* m = in[i];
    rte_ipv4_hdr* ip = ipv4_after_ethernet(m);
    if (ip == nullptr) {
      drop_packet(worker, DropReason::not_ipv4, m);
      continue;
    }
    if (OuterReassembly::is_fragment(ip)) [[unlikely]] {
      fragments = true;
      m = reassemble(ctx, worker, m, ip);
      if (m == nullptr) continue;  // held, or dropped and counted
      ip = ipv4_after_ethernet(m);  // one segment again, header rewritten
      if (ip == nullptr) {
        drop_packet(worker, DropReason::not_ipv4, m);
        continue;
      }
    }
    const uint32_t off = esp_offset(ip);
    if (off == 0) {
      drop_packet(worker, DropReason::not_esp, m);
      continue;
    }
    InboundKey& key = b.keys[b.n];
    std::memcpy(&key.spi_be, reinterpret_cast<const uint8_t*>(ip) + off, sizeof(key.spi_be));
    key.dst_be = ip->dst_addr;
    strip_ethernet(m, ip);
    b.pkts[b.n++] = m;
  }
  if (fragments && ctx.reassembly != nullptr) ctx.reassembly->release(worker, ctx.shared->now());
}

// (SPI, dst) -> SA through the worker's cache, the inbound table for what
// it does not know (one burst call); packets owned elsewhere are handed off.
void find_sas(ForwardContext& ctx, InboundBurst& b) {
  const SaTables& sas = *ctx.shared->sas;
  InboundSaCache& cache = ctx.sa_cache;
  cache.use_generation(sas.inbound_generation());
  std::array<const InboundKey*, kStageBurst> miss_keys;
  std::array<uint16_t, kStageBurst> miss;
  uint16_t n_miss = 0;
  for (uint16_t i = 0; i < b.n; ++i) {
    b.refs[i] = cache.find(b.keys[i].spi_be, b.keys[i].dst_be);
    if (!b.refs[i]) {
      miss_keys[n_miss] = &b.keys[i];
      miss[n_miss++] = i;
    }
  }
  if (n_miss == 0) return;
  std::array<SaRef<InboundSa>, kStageBurst> found;
  sas.inbound().lookup_burst(miss_keys.data(), n_miss, found.data());
  for (uint16_t k = 0; k < n_miss; ++k) {
    const uint16_t i = miss[k];
    b.refs[i] = found[k];
    if (found[k]) cache.insert(b.keys[i].spi_be, b.keys[i].dst_be, found[k]);
  }
}

void look_up(ForwardContext& ctx, io::WorkerContext& worker, InboundBurst& b) {
  find_sas(ctx, b);
  uint16_t kept = 0;
  for (uint16_t i = 0; i < b.n; ++i) {
    rte_mbuf* m = b.pkts[i];
    const SaRef<InboundSa> ref = b.refs[i];
    if (!ref) {
      drop_packet(worker, DropReason::no_sa, m);
      continue;
    }
    if (ref.owner() != ctx.worker_id) {
      rte_pktmbuf_prepend(m, sizeof(rte_ether_hdr));  // the header is still there
      hand_off(ctx, worker, kPublicPort, ref.owner(), m);
      continue;
    }
    prefetch_sa(ref.sa());
    b.pkts[kept] = m;
    b.sas[kept] = ref.sa();
    ++kept;
  }
  b.n = kept;
}

// The largest inner packet the return path carries, for clamping the MSS
// of a SYN coming in: exact for the outbound SA the gateway would use from
// the packet's destination back to its source; without one, the inbound
// SA's algorithms with UDP encapsulation assumed (an upper bound on the
// overhead).
uint32_t return_path_limit(ForwardContext& ctx, const rte_ipv4_hdr* ip, const InboundSa& in,
                           uint32_t mtu) {
  const RouteTable* routes = ctx.shared->routes->get();
  const SpdClassifier* spd = ctx.shared->spd->get();
  if (routes != nullptr && spd != nullptr) {
    const uint32_t back_to = rte_be_to_cpu_32(ip->src_addr);
    uint32_t gateway = kNoGateway;
    routes->lookup_burst(&back_to, &gateway, 1);
    if (gateway != kNoGateway) {
      const SpdKey key = SpdKey::from_packet(gateway, ip->dst_addr, ip->src_addr);
      uint32_t slot = kNoAction;
      spd->classify_burst(&key, &slot, 1);
      const OutboundTable& table = ctx.shared->sas->outbound();
      // Another worker may own that SA: only its read-only sizes are read,
      // and the object lives until this worker reports quiescence.
      const SaRef<OutboundSa> ref = slot < table.slots() ? table.get(slot) : SaRef<OutboundSa>{};
      if (ref) return max_inner_len(*ref.sa(), mtu);
    }
  }
  const uint32_t fixed = kIpv4HeaderLen + kUdpHeaderLen + kEspHeaderLen + in.job.iv_len +
                         in.job.icv_len;
  return max_inner_len(fixed, in.job.block_len, mtu);
}

// Ethernet on and out of the private port toward `next_hop` (or held
// until its MAC is known).
void send_private(io::WorkerContext& worker, uint32_t next_hop,
                  rte_mbuf* m) {
  if (!prepend_ethernet(m)) {
    drop_packet(worker, DropReason::no_headroom, m);
  } else {
    io::send_to_next_hop(worker, kPrivatePort, next_hop, m);
  }
}

// ICMP errors for senders across the tunnel, run through the outbound
// stage (route, SPD, SA, ESP) in bursts.
struct IcmpBack {
  std::array<rte_mbuf*, kStageBurst> frames;
  uint16_t n = 0;
  void push(ForwardContext& ctx, io::WorkerContext& worker, rte_mbuf* icmp) {
    if (icmp == nullptr) return;
    if (n == frames.size()) flush(ctx, worker);
    frames[n++] = icmp;
  }
  void flush(ForwardContext& ctx, io::WorkerContext& worker) {
    if (n != 0) forward_outbound(ctx, worker, frames.data(), n);
    n = 0;
  }
};

// An inner packet larger than the private port's MTU: with DF, dropped and
// answered with ICMP fragmentation needed (RFC 1191) through the tunnel;
// without, fragmented (RFC 791) and each fragment sent.
void send_too_big(ForwardContext& ctx, io::WorkerContext& worker, uint32_t next_hop,
                  rte_mbuf* m, IcmpBack& back) {
  auto* ip = rte_pktmbuf_mtod(m, rte_ipv4_hdr*);
  const uint32_t mtu = worker.shared->ports[kPrivatePort].mtu;
  if (dont_fragment(ip)) {
    back.push(ctx, worker,
              icmp_error_frame(ctx, worker, ip, rte_pktmbuf_data_len(m), kIcmpDestUnreachable,
                               kIcmpFragNeeded, static_cast<uint16_t>(mtu), m->pool));
    drop_packet(worker, DropReason::too_big, m);
    return;
  }
  decrement_ttl(ip);
  std::array<rte_mbuf*, kMaxFragments> frags;
  const uint32_t room = rte_pktmbuf_data_room_size(m->pool) - RTE_PKTMBUF_HEADROOM;
  const uint16_t count = fragment_ipv4(m, std::min(mtu, room), frags.data(), kMaxFragments);
  if (count == 0) {
    drop_packet(worker, DropReason::no_mbuf, m);
    return;
  }
  ++ctx.counters.fragmented;
  ctx.counters.fragments += count;
  for (uint16_t k = 0; k < count; ++k) send_private(worker, next_hop, frags[k]);
}

// After ESP decap, as a router: TTL (expired: ICMP time exceeded back
// through the tunnel), MSS clamp on SYNs, the private MTU; then Ethernet on
// and out of the private port toward the inner destination (on-link) or the
// private next hop. Drops are freed (the SA counted them already).
void send_finished(ForwardContext& ctx, io::WorkerContext& worker, const FinishedBurst& f) {
  for (uint16_t i = f.n_good; i < f.n; ++i) drop_packet(worker, f.why[i], f.pkts[i]);
  ctx.counters.decrypted += f.n_good;
  const io::PortRuntime& port = worker.shared->ports[kPrivatePort];
  const uint32_t public_mtu = worker.shared->ports[kPublicPort].mtu;
  IcmpBack back;
  for (uint16_t i = 0; i < f.n_good; ++i) {
    rte_mbuf* m = f.pkts[i];
    auto* ip = rte_pktmbuf_mtod(m, rte_ipv4_hdr*);
    const uint32_t len = rte_pktmbuf_data_len(m);
    if (ip->time_to_live <= 1) [[unlikely]] {
      back.push(ctx, worker,
                icmp_error_frame(ctx, worker, ip, len, kIcmpTimeExceeded, kIcmpTtlExceeded, 0,
                                 m->pool));
      drop_packet(worker, DropReason::ttl_exceeded, m);
      continue;
    }
    // Only SYNs carry the option; the limit costs a lookup, so only then.
    if (is_tcp_syn(ip, len) &&
        clamp_tcp_mss(ip, len,
                      mss_for(return_path_limit(ctx, ip, *static_cast<const InboundSa*>(f.sas[i]),
                                                public_mtu))))
      ++ctx.counters.mss_clamped;
    const uint32_t next_hop = next_hop_toward(port, ip->dst_addr);
    if (next_hop == 0) {
      drop_packet(worker, DropReason::no_next_hop, m);
    } else if (rte_be_to_cpu_16(ip->total_length) > port.mtu) [[unlikely]] {
      send_too_big(ctx, worker, next_hop, m, back);
    } else {
      decrement_ttl(ip);
      send_private(worker, next_hop, m);
    }
  }
  back.flush(ctx, worker);
}

// ESP decap, streaming as the outbound stage's encap (see send_ready
// there): what finished, possibly of earlier bursts, goes out now.
void decapsulate_and_send(ForwardContext& ctx, io::WorkerContext& worker, InboundBurst& b) {
  send_finished(ctx, worker, esp_decap_submit(*ctx.crypto, b.pkts.data(), b.sas.data(), b.n));
}

}  // namespace

void flush_inbound(ForwardContext& ctx, io::WorkerContext& worker) {
  if (ctx.crypto->inbound().in_flight() != 0) send_finished(ctx, worker, esp_decap_flush(*ctx.crypto));
}

void forward_inbound(ForwardContext& ctx, io::WorkerContext& worker, rte_mbuf** pkts,
                     uint16_t n) {
  InboundBurst b;
  parse(ctx, worker, pkts, n, b);
  if (b.n != 0) look_up(ctx, worker, b);
  if (b.n != 0) decapsulate_and_send(ctx, worker, b);
}

}  // namespace vpngw::dataplane::forward
