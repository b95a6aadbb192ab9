// Outbound: inner packets from the private port become ESP on the public
// port. Each step works on the whole burst and compacts the survivors into
// the front of the arrays, so the next step sees a dense burst. Between the
// SA lookup and ESP the gateway acts as a router: TTL, MSS clamping, and
// the public MTU (ICMP fragmentation needed, or fragments); fragments can
// make a burst grow, so that step feeds the rest of the pipeline in bursts
// of its own.
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include <array>

#include "dataplane/esp_encap.hpp"
#include "dataplane/forward/inner_ip.hpp"
#include "dataplane/forward/stages.hpp"
#include "dataplane/qos/cap_mbuf.hpp"

namespace vpngw::dataplane::forward {

namespace {

// The burst between steps: packet i, its gateway and its SA.
struct OutboundBurst {
  std::array<rte_mbuf*, kStageBurst> pkts;
  std::array<uint32_t, kStageBurst> gateway;
  std::array<uint32_t, kStageBurst> src_be;  // inner addresses, network byte order
  std::array<uint32_t, kStageBurst> dst_be;
  std::array<uint32_t, kStageBurst> slot;
  std::array<OutboundSa*, kStageBurst> sas;
  uint16_t n = 0;
};

// Ethernet off, IPv4 checked; survivors keep their order.
void parse(io::WorkerContext& worker, rte_mbuf** in, uint16_t n, OutboundBurst& b) {
  for (uint16_t i = 0; i < n; ++i) {
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(in[i + 1], void*));
    rte_mbuf* m = in[i];
    const rte_ipv4_hdr* ip = ipv4_after_ethernet(m);
    if (ip == nullptr) {
      drop_packet(worker, DropReason::not_ipv4, m);
      continue;
    }
    b.src_be[b.n] = ip->src_addr;
    b.dst_be[b.n] = ip->dst_addr;
    strip_ethernet(m, ip);
    b.pkts[b.n++] = m;
  }
}

// Route -> gateway and SPD -> slot for the packets the flow cache does not
// know, in one burst call each; their results go into the cache.
void look_up_misses(ForwardContext& ctx, const RouteTable* routes, const SpdClassifier* spd,
                    OutboundBurst& b, const uint16_t* miss, uint16_t n_miss) {
  std::array<uint32_t, kStageBurst> dst_host;
  std::array<uint32_t, kStageBurst> gateway;
  std::array<SpdKey, kStageBurst> keys;
  std::array<uint32_t, kStageBurst> slot;
  for (uint16_t k = 0; k < n_miss; ++k) dst_host[k] = rte_be_to_cpu_32(b.dst_be[miss[k]]);
  if (routes == nullptr) {
    gateway.fill(kNoGateway);
  } else {
    routes->lookup_burst(dst_host.data(), gateway.data(), n_miss);
  }
  for (uint16_t k = 0; k < n_miss; ++k)
    keys[k] = SpdKey::from_packet(gateway[k], b.src_be[miss[k]], b.dst_be[miss[k]]);
  if (spd == nullptr) {
    slot.fill(kNoAction);
  } else {
    spd->classify_burst(keys.data(), slot.data(), n_miss);
  }
  for (uint16_t k = 0; k < n_miss; ++k) {
    const uint16_t i = miss[k];
    b.gateway[i] = gateway[k];
    b.slot[i] = slot[k];
    ctx.flow_cache.insert(b.src_be[i], b.dst_be[i], gateway[k], slot[k]);
  }
}

// Route -> gateway, SPD -> slot (through the worker's flow cache), slot ->
// SA; packets owned elsewhere are handed off, the rest stay with their SA.
void look_up(ForwardContext& ctx, io::WorkerContext& worker, OutboundBurst& b) {
  const RouteTable* routes = ctx.shared->routes->get();
  const SpdClassifier* spd = ctx.shared->spd->get();
  ctx.flow_cache.use_tables(routes != nullptr ? routes->id() : 0, spd != nullptr ? spd->id() : 0);
  std::array<uint16_t, kStageBurst> miss;
  uint16_t n_miss = 0;
  for (uint16_t i = 0; i < b.n; ++i)
    if (!ctx.flow_cache.find(b.src_be[i], b.dst_be[i], b.gateway[i], b.slot[i]))
      miss[n_miss++] = i;
  if (n_miss != 0) look_up_misses(ctx, routes, spd, b, miss.data(), n_miss);
  const OutboundTable& table = ctx.shared->sas->outbound();
  uint16_t kept = 0;
  for (uint16_t i = 0; i < b.n; ++i) {
    rte_mbuf* m = b.pkts[i];
    if (b.gateway[i] == kNoGateway) {
      drop_packet(worker, DropReason::no_route, m);
      continue;
    }
    if (b.slot[i] == kNoAction) {
      drop_packet(worker, DropReason::no_policy, m);
      continue;
    }
    const SaRef<OutboundSa> ref =
        b.slot[i] < table.slots() ? table.get(b.slot[i]) : SaRef<OutboundSa>{};
    if (!ref) {
      if (ctx.shared->acquire) ctx.shared->acquire->raise(b.slot[i]);  // trap: negotiate
      drop_packet(worker, DropReason::no_sa, m);
      continue;
    }
    if (ref.owner() != ctx.worker_id) {
      rte_pktmbuf_prepend(m, sizeof(rte_ether_hdr));  // the header is still there
      hand_off(ctx, worker, kPrivatePort, ref.owner(), m);
      continue;
    }
    prefetch_sa(ref.sa());
    b.pkts[kept] = m;
    b.gateway[kept] = b.gateway[i];
    b.sas[kept] = ref.sa();
    ++kept;
  }
  b.n = kept;
}

// What goes into ESP: packet i, its gateway and its SA.
struct ReadyBurst {
  std::array<rte_mbuf*, kStageBurst> pkts;
  std::array<uint32_t, kStageBurst> gateway;
  std::array<OutboundSa*, kStageBurst> sas;
  uint16_t n = 0;
};

// The gateway of a packet in the crypto queue rides in the mbuf: packets
// come out of a streaming queue bursts later, when the stage that looked
// the gateway up is gone. hash.usr is free once a packet is past RX.
void set_gateway(rte_mbuf* m, uint32_t gateway) { m->hash.usr = gateway; }
uint32_t gateway_of(const rte_mbuf* m) { return m->hash.usr; }

// Packets the crypto queue finished: drops freed (the SA counted them
// already), then caps per gateway (one admit per run of same-gateway
// packets, keeping the order), Ethernet on and out of the public port.
void send_finished(ForwardContext& ctx, io::WorkerContext& worker, const FinishedBurst& f) {
  for (uint16_t i = f.n_good; i < f.n; ++i) drop_packet(worker, f.why[i], f.pkts[i]);
  if (f.n_good == 0) return;
  ctx.counters.encrypted += f.n_good;
  const uint64_t now = ctx.shared->now();
  const io::PortRuntime& port = worker.shared->ports[kPublicPort];
  uint16_t start = 0;
  while (start < f.n_good) {
    const uint32_t gateway = gateway_of(f.pkts[start]);
    uint16_t end = start + 1;
    while (end < f.n_good && gateway_of(f.pkts[end]) == gateway) ++end;
    const auto run = static_cast<uint16_t>(end - start);
    const qos::CapMbufResult cap =
        qos::apply_cap(*ctx.shared->caps, gateway, f.pkts + start, run, now);
    for (uint16_t i = start; i < start + cap.sent; ++i) {
      rte_mbuf* m = f.pkts[i];
      const uint32_t peer_be = rte_pktmbuf_mtod(m, const rte_ipv4_hdr*)->dst_addr;
      const uint32_t next_hop = next_hop_toward(port, peer_be);
      if (next_hop == 0) {
        drop_packet(worker, DropReason::no_next_hop, m);
      } else if (!prepend_ethernet(m)) {
        drop_packet(worker, DropReason::no_headroom, m);
      } else {
        io::send_to_next_hop(worker, kPublicPort, next_hop, m);
      }
    }
    for (uint16_t i = start + cap.sent; i < end; ++i) {
      // The SA counted the packet as encrypted (its sequence number is
      // spent); its over_cap drops say how many of those never left.
      static_cast<OutboundSa*>(f.sas[i])->usage.drop(DropReason::over_cap);
      drop_packet(worker, DropReason::over_cap, f.pkts[i]);
    }
    start = end;
  }
}

// ESP encap, streaming: jobs stay in IPsec-MB's lanes across bursts (a
// flush runs part-empty lanes, docs/dataplane.md), and what finished meanwhile
// goes out. forward_flush empties the queue when the worker goes idle and
// before it reports an RCU quiescent state (packets in flight point at SAs).
void send_ready(ForwardContext& ctx, io::WorkerContext& worker, ReadyBurst& r) {
  if (r.n == 0) return;
  for (uint16_t i = 0; i < r.n; ++i) set_gateway(r.pkts[i], r.gateway[i]);
  send_finished(ctx, worker, esp_encap_submit(*ctx.crypto, r.pkts.data(), r.sas.data(), r.n));
  r.n = 0;
}

void push_ready(ForwardContext& ctx, io::WorkerContext& worker, ReadyBurst& r, rte_mbuf* m,
                uint32_t gateway, OutboundSa* sa) {
  if (r.n == kStageBurst) send_ready(ctx, worker, r);
  r.pkts[r.n] = m;
  r.gateway[r.n] = gateway;
  r.sas[r.n] = sa;
  ++r.n;
}

// The largest fragment a pool's mbuf holds with room left for ESP's trailer.
uint32_t fragment_capacity(const rte_mempool* pool) {
  const uint32_t room = rte_pktmbuf_data_room_size(const_cast<rte_mempool*>(pool));
  const uint32_t reserved = RTE_PKTMBUF_HEADROOM + kEspMaxTailroom;
  return room > reserved ? room - reserved : 0;
}

// The router's part, on packets whose SA this worker owns (a handed-off
// packet is changed only by its owner, once): TTL, MSS, MTU. Survivors go
// to ESP through `ready`.
void route_inner(ForwardContext& ctx, io::WorkerContext& worker, OutboundBurst& b) {
  const uint32_t mtu = worker.shared->ports[kPublicPort].mtu;
  ReadyBurst ready;
  for (uint16_t i = 0; i < b.n; ++i) {
    rte_mbuf* m = b.pkts[i];
    OutboundSa* sa = b.sas[i];
    auto* ip = rte_pktmbuf_mtod(m, rte_ipv4_hdr*);
    const uint32_t len = rte_pktmbuf_data_len(m);
    if (ip->time_to_live <= 1) [[unlikely]] {
      send_icmp_error(ctx, worker, ip, len, kIcmpTimeExceeded, kIcmpTtlExceeded, 0, m->pool);
      drop_packet(worker, DropReason::ttl_exceeded, m);
      continue;
    }
    const uint32_t limit = max_inner_len(*sa, mtu);
    if (clamp_tcp_mss(ip, len, mss_for(limit)))
      ++ctx.counters.mss_clamped;
    if (rte_be_to_cpu_16(ip->total_length) <= limit) [[likely]] {
      decrement_ttl(ip);
      push_ready(ctx, worker, ready, m, b.gateway[i], sa);
      continue;
    }
    if (dont_fragment(ip)) {
      // RFC 1191: tell the sender the largest packet that fits.
      send_icmp_error(ctx, worker, ip, len, kIcmpDestUnreachable, kIcmpFragNeeded,
                      static_cast<uint16_t>(limit), m->pool);
      sa->usage.drop(DropReason::too_big);
      drop_packet(worker, DropReason::too_big, m);
      continue;
    }
    decrement_ttl(ip);
    std::array<rte_mbuf*, kMaxFragments> frags;
    const uint32_t max_len = std::min(limit, fragment_capacity(m->pool));
    const uint16_t count = fragment_ipv4(m, max_len, frags.data(), kMaxFragments);
    if (count == 0) {
      sa->usage.drop(DropReason::no_mbuf);
      drop_packet(worker, DropReason::no_mbuf, m);
      continue;
    }
    ++ctx.counters.fragmented;
    ctx.counters.fragments += count;
    for (uint16_t k = 0; k < count; ++k) push_ready(ctx, worker, ready, frags[k], b.gateway[i], sa);
  }
  send_ready(ctx, worker, ready);
}

}  // namespace

void flush_outbound(ForwardContext& ctx, io::WorkerContext& worker) {
  if (ctx.crypto->outbound().in_flight() != 0) send_finished(ctx, worker, esp_encap_flush(*ctx.crypto));
}

void forward_outbound(ForwardContext& ctx, io::WorkerContext& worker, rte_mbuf** pkts,
                      uint16_t n) {
  OutboundBurst b;
  parse(worker, pkts, n, b);
  if (b.n != 0) look_up(ctx, worker, b);
  if (b.n != 0) route_inner(ctx, worker, b);
}

}  // namespace vpngw::dataplane::forward
