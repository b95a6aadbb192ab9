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

io::ForwardHook make_forward_hook(ForwardContext& ctx) { return {&ctx, &hook_entry, &poll_entry}; }

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

void hand_off(ForwardContext& ctx, const io::WorkerContext& worker, uint16_t port_index,
              uint16_t owner, rte_mbuf* m) {
  HandoffRings* rings = ctx.shared->handoff;
  if (rings == nullptr || owner >= rings->workers()) {
    // No way to reach the owner: the SA cannot be used from here.
    drop_packet(ctx, ForwardDrop::handoff_full, m);
    return;
  }
  m->port = worker.shared->ports[port_index].port_id;
  if (rings->send(ctx.worker_id, owner, &m, 1) == 1) {
    ++ctx.counters.handed_off;
  } else {
    ctx.counters.drop(ForwardDrop::handoff_full);  // send() freed it
  }
}

}  // namespace vpngw::dataplane::forward
