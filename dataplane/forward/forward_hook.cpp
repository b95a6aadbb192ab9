#include <rte_cycles.h>
#include <rte_ether.h>

#include <algorithm>

#include "dataplane/forward/forward_context.hpp"
#include "dataplane/forward/stages.hpp"

namespace vpngw::dataplane::forward {

namespace {

void hook_entry(void* ctx, io::WorkerContext& worker, uint16_t port_index, rte_mbuf** pkts,
                uint16_t n) {
  forward_burst(*static_cast<ForwardContext*>(ctx), worker, port_index, pkts, n);
}

void forward_chunk(ForwardContext& ctx, io::WorkerContext& worker, uint16_t port_index,
                   rte_mbuf** pkts, uint16_t n) {
  if (port_index == kPrivatePort) {
    forward_outbound(ctx, worker, pkts, n);
  } else {
    forward_inbound(ctx, worker, pkts, n);
  }
}

void forward_all(ForwardContext& ctx, io::WorkerContext& worker, uint16_t port_index,
                 rte_mbuf** pkts, uint16_t n) {
  for (uint16_t done = 0; done < n;) {
    const auto chunk = static_cast<uint16_t>(std::min<int>(n - done, kStageBurst));
    forward_chunk(ctx, worker, port_index, pkts + done, chunk);
    done = static_cast<uint16_t>(done + chunk);
  }
}

}  // namespace

// Each round, even when nothing arrived: packets other workers handed to
// this one because it owns their SA.
uint16_t poll_entry(void* ctx, io::WorkerContext& worker) {
  return forward_handoff(*static_cast<ForwardContext*>(ctx), worker);
}

void flush_entry(void* ctx, io::WorkerContext& worker) {
  forward_flush(*static_cast<ForwardContext*>(ctx), worker);
}

uint32_t in_flight_entry(const void* ctx) {
  return forward_in_flight(*static_cast<const ForwardContext*>(ctx));
}

io::ForwardHook make_forward_hook(ForwardContext& ctx) {
  return {&ctx, &hook_entry, &poll_entry, &flush_entry, &in_flight_entry};
}

void forward_flush(ForwardContext& ctx, io::WorkerContext& worker) {
  flush_inbound(ctx, worker);
  flush_outbound(ctx, worker);
}

uint32_t forward_in_flight(const ForwardContext& ctx) {
  return ctx.crypto->outbound().in_flight() + ctx.crypto->inbound().in_flight();
}

void forward_burst(ForwardContext& ctx, io::WorkerContext& worker, uint16_t port_index,
                   rte_mbuf** pkts, uint16_t n) {
  forward_handoff(ctx, worker);
  forward_all(ctx, worker, port_index, pkts, n);
}

uint16_t forward_handoff(ForwardContext& ctx, io::WorkerContext& worker) {
  HandoffRings* rings = ctx.shared->handoff;
  if (rings == nullptr) return 0;
  rte_mbuf* pkts[kStageBurst];
  const uint16_t n = rings->receive(ctx.worker_id, pkts, kStageBurst);
  if (n == 0) return 0;
  ctx.counters.handoff_received += n;
  // hand_off() marked each frame with its arrival port; run each run of
  // same-port frames through its direction's stage.
  const uint16_t private_id = worker.shared->ports[kPrivatePort].port_id;
  uint16_t start = 0;
  for (uint16_t i = 1; i <= n; ++i) {
    if (i < n && (pkts[i]->port == private_id) == (pkts[start]->port == private_id)) continue;
    const uint16_t port_index = pkts[start]->port == private_id ? kPrivatePort : kPublicPort;
    forward_chunk(ctx, worker, port_index, pkts + start, static_cast<uint16_t>(i - start));
    start = i;
  }
  return n;
}

void hand_off(ForwardContext& ctx, io::WorkerContext& worker, uint16_t port_index,
              uint16_t owner, rte_mbuf* m) {
  HandoffRings* rings = ctx.shared->handoff;
  if (rings == nullptr || owner >= rings->workers()) {
    // No way to reach the owner: the SA cannot be used from here.
    drop_packet(worker, DropReason::handoff_full, m);
    return;
  }
  m->port = worker.shared->ports[port_index].port_id;
  if (rings->send(ctx.worker_id, owner, &m, 1) == 1) {
    ++ctx.counters.handed_off;
  } else {
    worker.counters->drop(DropReason::handoff_full);  // send() freed it
  }
}

namespace {

rte_mbuf* icmp_error(ForwardContext& ctx, const rte_ipv4_hdr* ip, uint32_t len, uint8_t type,
                     uint8_t code, uint16_t next_hop_mtu, uint32_t src_be, uint8_t ttl,
                     rte_mempool* pool) {
  if (!may_send_icmp_error(ip)) return nullptr;
  IcmpRateLimit& limit = ctx.icmp_limit;
  if (limit.interval == 0) {
    // The caps' clock is the one ctx.shared->now reads.
    const uint64_t hz = ctx.shared->caps != nullptr ? ctx.shared->caps->tsc_hz() : rte_get_tsc_hz();
    limit.interval = std::max<uint64_t>(hz / kIcmpErrorsPerSecond, 1);
  }
  if (!limit.allow(ctx.shared->now())) {
    ++ctx.counters.icmp_rate_limited;
    return nullptr;
  }
  return make_icmp_error(pool, ip, len, type, code, next_hop_mtu, src_be, ttl);
}

}  // namespace

void send_icmp_error(ForwardContext& ctx, io::WorkerContext& worker, const rte_ipv4_hdr* ip,
                     uint32_t len, uint8_t type, uint8_t code, uint16_t next_hop_mtu,
                     rte_mempool* pool) {
  const io::PortRuntime& port = worker.shared->ports[kPrivatePort];
  const uint32_t next_hop = next_hop_toward(port, ip->src_addr);
  if (next_hop == 0) return;
  rte_mbuf* m = icmp_error(ctx, ip, len, type, code, next_hop_mtu, port.address_be, 64, pool);
  if (m != nullptr && io::send_to_next_hop(worker, kPrivatePort, next_hop, m))
    ++ctx.counters.icmp_sent;
}

rte_mbuf* icmp_error_frame(ForwardContext& ctx, io::WorkerContext& worker,
                           const rte_ipv4_hdr* ip, uint32_t len, uint8_t type, uint8_t code,
                           uint16_t next_hop_mtu, rte_mempool* pool) {
  const uint32_t src_be = worker.shared->ports[kPrivatePort].address_be;
  // The outbound stage routes it like any VPC packet and takes one off the
  // TTL: it leaves with 64, as the direct answers do.
  rte_mbuf* m = icmp_error(ctx, ip, len, type, code, next_hop_mtu, src_be, 65, pool);
  if (m != nullptr) ++ctx.counters.icmp_sent;
  return m;
}

}  // namespace vpngw::dataplane::forward
