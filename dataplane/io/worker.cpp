#include "dataplane/io/worker.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_launch.h>

#include <rte_arp.h>

#include "dataplane/io/arp_observations.hpp"
#include "dataplane/io/local_traffic.hpp"

namespace vpngw::dataplane::io {

namespace {

void drop(WorkerContext& w, DropReason reason, rte_mbuf* m) {
  w.counters->drop(reason);
  rte_pktmbuf_free(m);
}

const ForwardHook& active_hook(const WorkerContext& w) {
  return w.config.hook.handle != nullptr ? w.config.hook : w.shared->hook;
}

// Rounds a worker may go without an RCU quiescent report because its stages
// hold packets (which may point at SAs): then it flushes them and reports.
// Bounds how long a busy worker delays the control thread's SA reclaim to
// a few microseconds' worth of bursts, while leaving the crypto lanes full
// in between.
constexpr uint32_t kMaxRoundsWithoutQuiescence = 16;

// Reports a quiescent state unless the stages hold packets, and at least
// every kMaxRoundsWithoutQuiescence rounds (flushing them first).
void report_quiescent(WorkerContext& w, rte_rcu_qsbr* qsbr, unsigned tid, uint32_t& held_rounds) {
  const ForwardHook& hook = active_hook(w);
  if (hook.in_flight != nullptr && hook.in_flight(hook.ctx) != 0) {
    if (++held_rounds < kMaxRoundsWithoutQuiescence) return;
    hook.flush(hook.ctx, w);
    tx_flush(w);
  }
  held_rounds = 0;
  rte_rcu_qsbr_quiescent(qsbr, tid);
}

void flush_port(WorkerContext& w, uint16_t port_index) {
  TxBuffer& buf = w.tx[port_index];
  if (buf.count == 0) return;
  const PortRuntime& port = w.shared->ports[port_index];
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < buf.count; ++i) bytes += buf.pkts[i]->pkt_len;
  const uint16_t sent = rte_eth_tx_burst(port.port_id, w.config.queue, buf.pkts.data(), buf.count);
  for (uint16_t i = sent; i < buf.count; ++i) {
    bytes -= buf.pkts[i]->pkt_len;
    drop(w, DropReason::tx_full, buf.pkts[i]);
  }
  PortCounters& c = w.counters->ports[port_index];
  c.tx_packets += sent;
  c.tx_bytes += bytes;
  buf.count = 0;
}

void punt(WorkerContext& w, uint16_t port_index, rte_mbuf* m) {
  // Not every PMD fills m->port (net_ring does not); the control thread needs it.
  m->port = w.shared->ports[port_index].port_id;
  if (rte_ring_mp_enqueue(w.shared->punt, m) != 0) [[unlikely]] {
    drop(w, DropReason::punt_ring_full, m);
    return;
  }
  ++w.counters->ports[port_index].punted;
}

void drain_control_tx(WorkerContext& w) {
  for (uint16_t p = 0; p < w.shared->port_count; ++p) {
    rte_ring* ring = w.shared->ports[p].control_tx;
    if (ring == nullptr) continue;
    void* objs[kRxBurst];
    const unsigned n = rte_ring_dequeue_burst(ring, objs, kRxBurst, nullptr);
    w.counters->control_sent += n;
    for (unsigned i = 0; i < n; ++i) tx_enqueue(w, p, static_cast<rte_mbuf*>(objs[i]));
  }
}

const rte_arp_ipv4& arp_body(const rte_mbuf* m) {
  return rte_pktmbuf_mtod_offset(m, const rte_arp_hdr*, sizeof(rte_ether_hdr))->arp_data;
}

// Passes what an ARP frame says about its sender to the control thread.
// Requests only when they tell something new: the sender unknown, or known
// with another MAC; replies always (they may confirm an entry).
void observe_arp(WorkerContext& w, uint16_t port_index, const rte_mbuf* m, ArpKind kind) {
  const rte_arp_ipv4& arp = arp_body(m);
  if (kind != ArpKind::reply && w.shared->neighbours != nullptr) {
    rte_ether_addr known;
    const bool found = w.shared->neighbours->lookup_be(arp.arp_sip, &known, false);
    if (found && rte_is_same_ether_addr(&known, &arp.arp_sha)) return;
    if (!found && kind == ArpKind::other) return;
  }
  ArpObservation o;
  o.sender_ip_be = arp.arp_sip;
  o.sender_mac = arp.arp_sha;
  o.port_index = static_cast<uint8_t>(port_index);
  o.kind = kind;
  if (!post_arp_observation(w.shared->arp_seen, o)) ++w.counters->ports[port_index].arp_observations_lost;
}

uint64_t now_tsc() { return rte_rdtsc(); }

// Ethernet addresses for the next hop's MAC, and the frame queued.
void send_to_mac(WorkerContext& w, uint16_t port_index, const rte_ether_addr& mac, rte_mbuf* m) {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  eth->dst_addr = mac;
  eth->src_addr = w.shared->ports[port_index].mac;
  tx_enqueue(w, port_index, m);
}

uint64_t unresolved_wait(const WorkerContext& w) {
  return w.shared->unresolved_wait != 0 ? w.shared->unresolved_wait : 3 * rte_get_tsc_hz();
}

// Packets waiting for a next hop: sent once the table has its MAC, dropped
// when it did not come in time; the addresses still unresolved are asked
// for again. Only when the table changed or a millisecond passed.
void service_unresolved(WorkerContext& w) {
  if (w.unresolved.destinations() == 0 || w.shared->neighbours == nullptr) return;
  const NeighbourTable& table = *w.shared->neighbours;
  const uint64_t generation = table.generation();
  const uint64_t now = now_tsc();
  if (generation == w.neighbour_generation && now < w.next_unresolved_check) return;
  w.neighbour_generation = generation;
  w.next_unresolved_check = now + rte_get_tsc_hz() / 1000;
  w.unresolved.service(
      now,
      [&](uint16_t, uint32_t hop_be, rte_ether_addr* mac) { return table.lookup_be(hop_be, mac); },
      [&](uint16_t port_index, const rte_ether_addr& mac, rte_mbuf* m) {
        ++w.counters->neighbour_released;
        send_to_mac(w, port_index, mac, m);
      },
      [&](rte_mbuf* m) { drop(w, DropReason::no_neighbour, m); },
      [&](uint16_t port_index, uint32_t hop_be) {
        if (w.shared->resolve != nullptr) w.shared->resolve->raise(port_index, hop_be);
      });
}

uint16_t poll_port(WorkerContext& w, uint16_t port_index) {
  const PortRuntime& port = w.shared->ports[port_index];
  rte_mbuf* pkts[kRxBurst];
  const uint16_t n = rte_eth_rx_burst(port.port_id, w.config.queue, pkts, kRxBurst);
  if (n == 0) return 0;
  PortCounters& c = w.counters->ports[port_index];
  c.rx_packets += n;
  rte_mbuf* forward[kRxBurst];
  uint16_t n_forward = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    c.rx_bytes += m->pkt_len;
    switch (classify(m, port)) {
      case PacketClass::arp_request_for_us:
        if (w.shared->arp_seen != nullptr) observe_arp(w, port_index, m, ArpKind::request_for_us);
        make_arp_reply(m, port);
        ++c.arp_replies_sent;
        tx_enqueue(w, port_index, m);
        break;
      case PacketClass::icmp_echo_for_us:
        make_echo_reply(m, port);
        ++c.icmp_replies_sent;
        tx_enqueue(w, port_index, m);
        break;
      case PacketClass::arp_reply:
        if (w.shared->arp_seen == nullptr) {
          punt(w, port_index, m);
        } else {
          observe_arp(w, port_index, m, ArpKind::reply);
          rte_pktmbuf_free(m);
        }
        break;
      case PacketClass::ike:
        punt(w, port_index, m);
        break;
      case PacketClass::arp_not_for_us:
        // A known neighbour announcing a new MAC (gratuitous ARP after a
        // failover) is worth learning even when it does not ask us.
        if (w.shared->arp_seen != nullptr) observe_arp(w, port_index, m, ArpKind::other);
        drop(w, DropReason::not_for_us, m);
        break;
      case PacketClass::malformed:
        drop(w, DropReason::malformed, m);
        break;
      case PacketClass::forward:
        forward[n_forward++] = m;
        break;
    }
  }
  if (n_forward != 0) {
    c.to_hook += n_forward;
    const ForwardHook& hook = active_hook(w);
    if (hook.handle != nullptr) {
      hook.handle(hook.ctx, w, port_index, forward, n_forward);
    } else {
      w.counters->drop(DropReason::no_handler, n_forward);
      rte_pktmbuf_free_bulk(forward, n_forward);
    }
  }
  return n;
}

}  // namespace

void tx_enqueue(WorkerContext& w, uint16_t port_index, rte_mbuf* m) {
  TxBuffer& buf = w.tx[port_index];
  if (buf.count == kTxBufferSize) flush_port(w, port_index);
  buf.pkts[buf.count++] = m;
}

bool send_to_next_hop(WorkerContext& w, uint16_t port_index, uint32_t next_hop_be,
                      rte_mbuf* m) {
  NextHopMemo& memo = w.next_hop[port_index];
  if (memo.next_hop_be != next_hop_be || next_hop_be == 0) [[unlikely]] {
    if (w.shared->neighbours == nullptr || next_hop_be == 0) {
      memo.next_hop_be = 0;
      drop(w, DropReason::no_neighbour, m);
      return false;
    }
    if (!w.shared->neighbours->lookup_be(next_hop_be, &memo.mac)) {
      memo.next_hop_be = 0;
      if (w.shared->resolve != nullptr) w.shared->resolve->raise(port_index, next_hop_be);
      if (!w.unresolved.hold(port_index, next_hop_be, m, now_tsc() + unresolved_wait(w))) {
        drop(w, DropReason::neighbour_queue_full, m);
        return false;
      }
      ++w.counters->neighbour_held;
      return true;
    }
    memo.next_hop_be = next_hop_be;
  }
  send_to_mac(w, port_index, memo.mac, m);
  return true;
}

void tx_flush(WorkerContext& w) {
  for (uint16_t p = 0; p < w.shared->port_count; ++p) {
    flush_port(w, p);
    w.next_hop[p].next_hop_be = 0;
  }
}

WorkerContext::~WorkerContext() {
  unresolved.clear([](rte_mbuf* m) { rte_pktmbuf_free(m); });
}

uint32_t worker_poll_once(WorkerContext& w) {
  // Held packets first: once their next hop is known they go out before
  // newer packets to it.
  service_unresolved(w);
  uint32_t received = 0;
  for (uint16_t p = 0; p < w.shared->port_count; ++p) received += poll_port(w, p);
  const ForwardHook& hook = active_hook(w);
  if (hook.poll != nullptr) received += hook.poll(hook.ctx, w);
  // Nothing new: whatever the stages still hold goes out now, so a packet
  // waits in a crypto queue only while more traffic follows it.
  if (received == 0 && hook.flush != nullptr) hook.flush(hook.ctx, w);
  // Control frames through the least busy worker: one whose round was not
  // all full bursts, or a busy one now and then so they never wait long.
  if (w.config.drains_control_tx) {
    const bool busy = received >= kRxBurst * w.shared->port_count;
    if (!busy || ++w.busy_rounds >= kBusyControlDrainRounds) {
      w.busy_rounds = 0;
      drain_control_tx(w);
    }
  }
  tx_flush(w);
  ++w.counters->polls;
  if (received == 0) ++w.counters->empty_polls;
  return received;
}

uint32_t worker_round(WorkerContext& w) {
  const uint32_t received = worker_poll_once(w);
  const uint32_t sleep_us = w.backoff.after_poll(received);
  w.counters->current_sleep_us = sleep_us;
  return sleep_us;
}

int worker_main(void* arg) {
  auto& w = *static_cast<WorkerContext*>(arg);
  rte_rcu_qsbr* qsbr = w.config.qsbr;
  const unsigned tid = w.config.qsbr_thread_id;
  if (qsbr != nullptr) {
    rte_rcu_qsbr_thread_register(qsbr, tid);
    rte_rcu_qsbr_thread_online(qsbr, tid);
  }
  uint32_t held_rounds = 0;
  while (!w.stop.load(std::memory_order_relaxed)) {
    const uint32_t sleep_us = worker_round(w);
    if (qsbr != nullptr) report_quiescent(w, qsbr, tid, held_rounds);
    if (sleep_us == 0) continue;
    // Idle path only: a reader that blocks must not hold up grace periods.
    ++w.counters->idle_sleeps;
    if (qsbr != nullptr) rte_rcu_qsbr_thread_offline(qsbr, tid);
    rte_delay_us_sleep(sleep_us);
    if (qsbr != nullptr) rte_rcu_qsbr_thread_online(qsbr, tid);
  }
  w.counters->current_sleep_us = 0;
  w.unresolved.clear([&](rte_mbuf* m) { drop(w, DropReason::no_neighbour, m); });
  const ForwardHook& hook = active_hook(w);
  if (hook.flush != nullptr) hook.flush(hook.ctx, w);
  tx_flush(w);
  if (qsbr != nullptr) {
    rte_rcu_qsbr_thread_offline(qsbr, tid);
    rte_rcu_qsbr_thread_unregister(qsbr, tid);
  }
  return 0;
}

bool launch_worker(unsigned lcore, WorkerContext* w) {
  w->stop.store(false, std::memory_order_relaxed);
  return rte_eal_remote_launch(worker_main, w, lcore) == 0;
}

void stop_worker(unsigned lcore, WorkerContext* w) {
  w->stop.store(true, std::memory_order_relaxed);
  rte_eal_wait_lcore(lcore);
}

}  // namespace vpngw::dataplane::io
