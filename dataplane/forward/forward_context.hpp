// The ESP pipeline plugged into the I/O worker as its ForwardHook.
//
// Outbound (private port): Ethernet off -> inner IPv4 check -> VPC route
// (gateway) -> SPD (SA slot) -> SA, handed to its owning worker if that is
// not us -> TTL, MSS clamp, public MTU (ICMP fragmentation needed or
// fragmentation) -> ESP encap -> gateway cap -> Ethernet on -> public port.
// Inbound (public port): ESP or ESP-in-UDP 4500 -> (SPI, outer dst) ->
// SA, handed off likewise -> ESP decap -> TTL, MSS clamp -> Ethernet on ->
// private port.
//
// The packet path takes no lock, allocates no heap memory (mbufs only, for
// fragments and ICMP errors), makes no syscall and logs nothing; every drop
// is counted under its DropReason in the worker's WorkerIoCounters (and,
// for reasons tied to an SA, in the SA's own usage counters).
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <cstdint>

#include "dataplane/crypto_ctx.hpp"
#include "dataplane/drop_reason.hpp"
#include "dataplane/forward/acquire_flags.hpp"
#include "dataplane/forward/flow_cache.hpp"
#include "dataplane/forward/spi_cache.hpp"
#include "dataplane/forward/inner_ip.hpp"
#include "dataplane/forward/reassembly.hpp"
#include "dataplane/io/worker.hpp"
#include "dataplane/lookup/published_table.hpp"
#include "dataplane/lookup/route_table.hpp"
#include "dataplane/lookup/spd_classifier.hpp"
#include "dataplane/qos/gateway_cap_table.hpp"
#include "dataplane/tables/handoff.hpp"
#include "dataplane/tables/sa_tables.hpp"

namespace vpngw::dataplane::forward {

// Port indexes, as the I/O layer numbers them.
inline constexpr uint16_t kPublicPort = 0;
inline constexpr uint16_t kPrivatePort = 1;

// What every worker reads; set up by the control thread before the workers
// start and not changed afterwards (the tables behind the pointers change
// by their own publication rules).
struct ForwardShared {
  const PublishedTable<RouteTable>* routes = nullptr;
  const PublishedTable<SpdClassifier>* spd = nullptr;
  SaTables* sas = nullptr;
  qos::GatewayCapTable* caps = nullptr;
  HandoffRings* handoff = nullptr;  // may be null with a single worker
  AcquireFlags* acquire = nullptr;  // may be null: no trap tunnels to start
  // The caps' clock, read once per burst (TscClock::now in production;
  // tests inject a fake one to control the buckets).
  uint64_t (*now)() = nullptr;
};

// One worker's forwarding counters (drops are in its WorkerIoCounters);
// only that worker writes them, others may read stale values. A cache line
// of its own so workers never share one.
struct alignas(kCacheLine) ForwardCounters {
  // What ESP made: packets encrypted (their sequence numbers spent) and
  // packets decrypted and verified, whether or not a later step (cap, next
  // hop, MTU) then dropped them: those drops are counted by reason, and the
  // ports' tx counters say what left.
  uint64_t encrypted = 0;
  uint64_t decrypted = 0;
  uint64_t handed_off = 0;    // packets queued to their SA's owning worker
  uint64_t handoff_received = 0;
  uint64_t fragmented = 0;    // inner packets split to fit the public (or private) MTU
  uint64_t fragments = 0;     // the fragments made of them
  uint64_t mss_clamped = 0;   // TCP SYNs whose MSS option was lowered
  uint64_t icmp_sent = 0;     // ICMP errors sent (time exceeded, fragmentation needed)
  uint64_t icmp_rate_limited = 0;  // ICMP errors not sent: over the rate limit
};

// ICMP errors a worker may send: kIcmpErrorsPerSecond, in bursts of up to
// IcmpRateLimit::burst.
inline constexpr uint64_t kIcmpErrorsPerSecond = 100;

// Per worker: created by the control thread for worker `worker_id`, with the
// CryptoCtx the worker created on its own thread.
struct ForwardContext {
  const ForwardShared* shared = nullptr;
  uint32_t worker_id = 0;  // the owner id the SA tables use for this worker
  CryptoCtx* crypto = nullptr;
  ForwardCounters counters;
  // Set from the caps' clock rate on first use when left at 0.
  IcmpRateLimit icmp_limit;
  OutboundFlowCache flow_cache;
  InboundSaCache sa_cache;
  // Outer-fragment reassembly, owned by whoever made the context; null:
  // fragments are dropped (`fragmented`).
  OuterReassembly* reassembly = nullptr;
};

// The hook to put in IoShared::hook for this worker's context. Every worker
// has its own IoShared copy or, as with one worker, the only one.
io::ForwardHook make_forward_hook(ForwardContext& ctx);

// The hook's body: forwards a burst that arrived on `port_index` and, first,
// whatever other workers handed to this one. Owns the packets.
void forward_burst(ForwardContext& ctx, io::WorkerContext& worker, uint16_t port_index,
                   rte_mbuf** pkts, uint16_t n);

// Finishes and sends every packet still in the worker's crypto queues.
// The stages stream (jobs stay in IPsec-MB across bursts); the worker calls
// this when a poll brought nothing and before it reports an RCU quiescent
// state, and tests call it after forward_burst to see every packet out.
void forward_flush(ForwardContext& ctx, io::WorkerContext& worker);
// Packets in the worker's crypto queues.
uint32_t forward_in_flight(const ForwardContext& ctx);

// Forwards the packets other workers handed to this one; returns how many
// were taken. forward_burst calls it too, but a worker that receives
// nothing itself should call it every round (see docs/forward.md).
uint16_t forward_handoff(ForwardContext& ctx, io::WorkerContext& worker);

}  // namespace vpngw::dataplane::forward
