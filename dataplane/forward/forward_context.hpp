// The ESP pipeline plugged into the I/O worker as its ForwardHook.
//
// Outbound (private port): Ethernet off -> inner IPv4 check -> VPC route
// (gateway) -> SPD (SA slot) -> SA, handed to its owning worker if that is
// not us -> ESP encap -> gateway cap -> Ethernet on -> public port.
// Inbound (public port): ESP or ESP-in-UDP 4500 -> (SPI, outer dst) ->
// SA, handed off likewise -> ESP decap -> Ethernet on -> private port.
//
// The packet path takes no lock, allocates nothing, makes no syscall and
// logs nothing; every drop is counted in the worker's ForwardCounters (and,
// for the ESP core's reasons, in the SA's own usage counters).
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <cstdint>

#include "dataplane/crypto_ctx.hpp"
#include "dataplane/drop_reason.hpp"
#include "dataplane/forward/forward_drop.hpp"
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
  // The caps' clock, read once per burst (TscClock::now in production;
  // tests inject a fake one to control the buckets).
  uint64_t (*now)() = nullptr;
};

// One worker's counters; only that worker writes them, others may read
// stale values. A cache line of its own so workers never share one.
struct alignas(kCacheLine) ForwardCounters {
  uint64_t encrypted = 0;     // ESP packets sent toward the public port
  uint64_t decrypted = 0;     // inner packets sent toward the private port
  uint64_t handed_off = 0;    // packets queued to their SA's owning worker
  uint64_t handoff_received = 0;
  std::array<uint64_t, kForwardDropCount> drops{};
  std::array<uint64_t, kDropReasonCount> esp_drops{};

  void drop(ForwardDrop why, uint64_t n = 1) noexcept { drops[index_of(why)] += n; }
  void drop(DropReason why) noexcept { esp_drops[dataplane::index_of(why)] += 1; }
};

// Per worker: created by the control thread for worker `worker_id`, with the
// CryptoCtx the worker created on its own thread.
struct ForwardContext {
  const ForwardShared* shared = nullptr;
  uint32_t worker_id = 0;  // the owner id the SA tables use for this worker
  CryptoCtx* crypto = nullptr;
  ForwardCounters counters;
};

// The hook to put in IoShared::hook for this worker's context. Every worker
// has its own IoShared copy or, as with one worker, the only one.
io::ForwardHook make_forward_hook(ForwardContext& ctx);

// The hook's body: forwards a burst that arrived on `port_index` and, first,
// whatever other workers handed to this one. Owns the packets.
void forward_burst(ForwardContext& ctx, io::WorkerContext& worker, uint16_t port_index,
                   rte_mbuf** pkts, uint16_t n);

// Forwards the packets other workers handed to this one; returns how many
// were taken. forward_burst calls it too, but a worker that receives
// nothing itself should call it every round (see docs/forward.md).
uint16_t forward_handoff(ForwardContext& ctx, io::WorkerContext& worker);

}  // namespace vpngw::dataplane::forward
