// Packets waiting for their next hop's MAC, per worker (as Linux's
// unres_qlen): while the control thread resolves an address, its first few
// packets wait here instead of being dropped, so the first packet of a new
// flow (the first ping to a VPC host) arrives. Bounded on both axes:
// kDestinations addresses, kPacketsPerDestination packets each; what does
// not fit is the caller's to drop (and count). Worker-local: no atomics.
#pragma once

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <array>
#include <cstdint>

namespace vpngw::dataplane::io {

class UnresolvedQueue {
 public:
  static constexpr uint16_t kDestinations = 64;
  static constexpr uint16_t kPacketsPerDestination = 3;

  // Holds `m` (a complete frame whose Ethernet addresses are not set yet)
  // for `next_hop_be` on `port_index`; a new destination waits until
  // `deadline`. False when there is no room: the caller drops it.
  bool hold(uint16_t port_index, uint32_t next_hop_be, rte_mbuf* m, uint64_t deadline);

  // Every destination: `resolve(port_index, next_hop_be, &mac)` true ->
  // `send(port_index, mac, m)` for each packet in arrival order; else, when
  // past its deadline, `expire(m)` for each. Either way the destination is
  // freed. Destinations still waiting are passed to `waiting(port_index,
  // next_hop_be)` (to ask for them again).
  template <class Resolve, class Send, class Expire, class Waiting>
  void service(uint64_t now, Resolve&& resolve, Send&& send, Expire&& expire, Waiting&& waiting);

  // Frees every held packet through `expire` (worker stop).
  template <class Expire>
  void clear(Expire&& expire);

  uint32_t packets() const { return packets_; }
  uint16_t destinations() const { return destinations_; }

 private:
  struct Destination {
    uint32_t next_hop_be = 0;  // 0: free
    uint16_t port_index = 0;
    uint16_t count = 0;
    uint64_t deadline = 0;
    std::array<rte_mbuf*, kPacketsPerDestination> pkts{};
  };
  void release(Destination& d) {
    d.next_hop_be = 0;
    d.count = 0;
    --destinations_;
  }

  std::array<Destination, kDestinations> entries_{};
  uint32_t packets_ = 0;
  uint16_t destinations_ = 0;
};

inline bool UnresolvedQueue::hold(uint16_t port_index, uint32_t next_hop_be, rte_mbuf* m,
                                  uint64_t deadline) {
  Destination* free_entry = nullptr;
  for (auto& d : entries_) {
    if (d.next_hop_be == next_hop_be && d.port_index == port_index) {
      if (d.count == kPacketsPerDestination) return false;
      d.pkts[d.count++] = m;
      ++packets_;
      return true;
    }
    if (d.next_hop_be == 0 && free_entry == nullptr) free_entry = &d;
  }
  if (free_entry == nullptr || next_hop_be == 0) return false;
  free_entry->next_hop_be = next_hop_be;
  free_entry->port_index = port_index;
  free_entry->deadline = deadline;
  free_entry->pkts[0] = m;
  free_entry->count = 1;
  ++packets_;
  ++destinations_;
  return true;
}

template <class Resolve, class Send, class Expire, class Waiting>
void UnresolvedQueue::service(uint64_t now, Resolve&& resolve, Send&& send, Expire&& expire,
                              Waiting&& waiting) {
  if (destinations_ == 0) return;
  for (auto& d : entries_) {
    if (d.next_hop_be == 0) continue;
    rte_ether_addr mac;
    if (resolve(d.port_index, d.next_hop_be, &mac)) {
      for (uint16_t i = 0; i < d.count; ++i) send(d.port_index, mac, d.pkts[i]);
    } else if (now >= d.deadline) {
      for (uint16_t i = 0; i < d.count; ++i) expire(d.pkts[i]);
    } else {
      waiting(d.port_index, d.next_hop_be);
      continue;
    }
    packets_ -= d.count;
    release(d);
  }
}

template <class Expire>
void UnresolvedQueue::clear(Expire&& expire) {
  for (auto& d : entries_) {
    if (d.next_hop_be == 0) continue;
    for (uint16_t i = 0; i < d.count; ++i) expire(d.pkts[i]);
    packets_ -= d.count;
    release(d);
  }
}

}  // namespace vpngw::dataplane::io
