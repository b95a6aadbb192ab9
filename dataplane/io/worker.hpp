// The worker loop: one per worker lcore. Each round it receives a burst from
// its queue on every port, answers ARP and ping for our addresses, punts IKE
// and passes what it sees of ARP to the control thread, hands everything else to the
// forwarding hook (where the ESP stages plug in), and transmits. When idle it
// backs off with short sleeps unless busy_poll is set.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dataplane/io/idle_backoff.hpp"
#include "dataplane/io/io_counters.hpp"
#include "dataplane/io/neighbour_table.hpp"
#include "dataplane/io/port.hpp"
#include "dataplane/io/resolve_requests.hpp"
#include "dataplane/io/unresolved_queue.hpp"

namespace vpngw::dataplane::io {

inline constexpr uint16_t kRxBurst = 32;
// A worker whose every poll is full still sends control frames this often.
inline constexpr uint32_t kBusyControlDrainRounds = 64;
inline constexpr uint16_t kTxBufferSize = 64;

struct WorkerContext;

// Where the forwarding stages plug in. `handle` owns the packets it is given:
// it sends each one (tx_enqueue / send_to_next_hop) or frees it. A plain
// function pointer: no virtual call, no std::function on the packet path.
struct ForwardHook {
  void* ctx = nullptr;
  void (*handle)(void* ctx, WorkerContext& worker, uint16_t port_index, rte_mbuf** pkts,
                 uint16_t n) = nullptr;
  // Optional, called once per round whether or not anything arrived: work
  // queued for this worker by others (packets handed to an SA's owner).
  // Returns how many packets it processed, so an idle backoff does not sleep
  // while such work flows.
  uint16_t (*poll)(void* ctx, WorkerContext& worker) = nullptr;
  // Optional, for stages that keep packets between calls (crypto jobs in
  // flight): finish and send them all. Called after a poll that brought
  // nothing, and before an RCU quiescent report whenever in_flight() is
  // not 0 (held packets may point into RCU-protected tables).
  void (*flush)(void* ctx, WorkerContext& worker) = nullptr;
  uint32_t (*in_flight)(const void* ctx) = nullptr;
};

// Set up by the control thread before the workers start; read-only after.
// Port index 0 is the public port, 1 the private one, by convention.
struct IoShared {
  std::array<PortRuntime, kMaxPorts> ports{};
  uint16_t port_count = 0;
  rte_ring* punt = nullptr;                    // MP/SC, see punt.hpp
  const NeighbourTable* neighbours = nullptr;  // may be null: nothing resolves
  // Next-hop resolution by the control thread (NeighbourResolver): workers
  // raise requests for addresses without a MAC and post what they see of
  // ARP. Either may be null: then nothing is requested, and ARP replies are
  // punted as frames instead (drain_punt_ring learns them).
  ResolveRequests* resolve = nullptr;
  rte_ring* arp_seen = nullptr;  // ArpObservation records, MP/SC
  // How long packets wait for a next hop's MAC (UnresolvedQueue), in TSC
  // cycles; 0: three seconds (three ARP requests a second apart).
  uint64_t unresolved_wait = 0;
  ForwardHook hook;
};

struct WorkerConfig {
  uint16_t queue = 0;              // RX/TX queue this worker owns on every port
  // This worker may send the control thread's packets. Every worker of the
  // daemon may: one that is not busy takes them at the end of its round; a
  // busy one only every kBusyControlDrainRounds rounds, so control frames
  // go out through the least loaded core and never wait long.
  bool drains_control_tx = false;
  IdleBackoffConfig idle;
  rte_rcu_qsbr* qsbr = nullptr;    // optional: reported quiescent every round
  // This worker's own forwarding stages (they hold per-worker state such as
  // the crypto context); when unset, IoShared::hook is used.
  ForwardHook hook;
  unsigned qsbr_thread_id = 0;
};

struct TxBuffer {
  std::array<rte_mbuf*, kTxBufferSize> pkts{};
  uint16_t count = 0;
};

// The last next hop a port's packets went to and its MAC: consecutive
// packets mostly share one, and the neighbour table's lookup costs more
// than a compare. Forgotten at every tx_flush (the end of a round), so a
// MAC the control thread changes is picked up by the next round.
struct NextHopMemo {
  uint32_t next_hop_be = 0;  // 0: nothing remembered
  rte_ether_addr mac{};
};

struct WorkerContext {
  WorkerContext(const IoShared* shared_, WorkerConfig config_, WorkerIoCounters* counters_)
      : shared(shared_), config(config_), counters(counters_), backoff(config_.idle) {}
  // Frees what still waits for a next hop (the pool must still exist).
  ~WorkerContext();
  WorkerContext(const WorkerContext&) = delete;
  WorkerContext& operator=(const WorkerContext&) = delete;

  const IoShared* shared;
  WorkerConfig config;
  WorkerIoCounters* counters;  // this worker's own, written only by it
  IdleBackoff backoff;
  std::array<TxBuffer, kMaxPorts> tx{};
  std::array<NextHopMemo, kMaxPorts> next_hop{};
  // Packets waiting for a next hop's MAC; looked at again when the
  // neighbour table's generation moves, and at least every millisecond.
  UnresolvedQueue unresolved;
  uint64_t neighbour_generation = 0;
  uint64_t next_unresolved_check = 0;
  uint32_t busy_rounds = 0;  // rounds since this worker last drained control frames
  std::atomic<bool> stop{false};
};

// One round: receive, classify, answer, punt, hook, transmit. Returns how many
// packets were received. Never sleeps (the loop does that).
uint32_t worker_poll_once(WorkerContext& w);

// One round of the loop as worker_main runs it: worker_poll_once, then the
// idle backoff's verdict. Returns how long the loop would now sleep (0: poll
// again at once). Separate so tests can step the loop deterministically.
uint32_t worker_round(WorkerContext& w);

// Queues a complete frame for transmission on a port (flushed at the end of
// the round, or now when the buffer is full).
void tx_enqueue(WorkerContext& w, uint16_t port_index, rte_mbuf* m);
// Fills in the Ethernet header for the next hop (network byte order) and
// queues the packet. When the MAC is not known yet the packet waits in the
// worker's UnresolvedQueue and the control thread is asked to resolve the
// address; it is sent when the answer comes, or dropped (no_neighbour)
// after IoShared::unresolved_wait. False only when it was dropped at once
// (neighbour_queue_full, or no_neighbour without a table).
bool send_to_next_hop(WorkerContext& w, uint16_t port_index, uint32_t next_hop_be, rte_mbuf* m);
void tx_flush(WorkerContext& w);

// The lcore function: loops worker_poll_once until w.stop, with idle backoff.
// `arg` is a WorkerContext*.
int worker_main(void* arg);

// Control thread: starts a worker on `lcore` (rte_eal_remote_launch) and stops
// it again (sets the flag, waits for the lcore). launch returns false when the
// lcore cannot take the job.
bool launch_worker(unsigned lcore, WorkerContext* w);
void stop_worker(unsigned lcore, WorkerContext* w);

}  // namespace vpngw::dataplane::io
