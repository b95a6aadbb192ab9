// Per-worker handoff rings: how a packet reaches the worker that owns its SA.
//
// RSS spreads packets over workers by outer addresses, which does not match
// SA ownership (several SAs share a peer; NAT-T flows differ by port). A
// worker that finds an SA owned by another worker puts the packet, not the
// SA pointer, on the owner's ring; the owner looks the SA up again. Passing
// the pointer would be unsafe: the sender reports quiescence right after,
// and the SA could be freed before the owner dequeues it.
//
// Each ring has many producers (every other worker) and one consumer (its
// owner): multi-producer enqueue, RING_F_SC_DEQ. A full ring never blocks:
// the packets that do not fit are freed and counted against the sender.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "dataplane/sa_runtime.hpp"
#include "dataplane/tables/sa_ref.hpp"
#include "dataplane/tables/tsan_sync.hpp"

namespace vpngw::dataplane {

class HandoffRings {
 public:
  // `name` prefixes the ring names (unique in the process); `ring_size` is a
  // power of two (one slot stays empty, as with every rte_ring).
  static std::unique_ptr<HandoffRings> create(const std::string& name, uint32_t workers,
                                              uint32_t ring_size, int socket_id,
                                              std::string* error);
  ~HandoffRings();  // frees the packets still queued
  HandoffRings(const HandoffRings&) = delete;
  HandoffRings& operator=(const HandoffRings&) = delete;

  uint32_t workers() const noexcept { return workers_; }

  // Worker `from` hands n packets to worker `to`; returns how many were
  // queued. The rest are freed and counted in dropped(from).
  uint16_t send(uint32_t from, uint32_t to, rte_mbuf* const* pkts, uint16_t n) noexcept {
    for (uint16_t i = 0; i < n; ++i) tsan_publish(pkts[i]);  // nothing outside TSan builds
    const unsigned queued =
        rte_ring_mp_enqueue_burst(rings_[to], reinterpret_cast<void* const*>(pkts), n, nullptr);
    if (queued < n) [[unlikely]] {
      rte_pktmbuf_free_bulk(const_cast<rte_mbuf**>(pkts + queued), n - queued);
      drops_[from].add(n - queued);
    }
    return static_cast<uint16_t>(queued);
  }

  // Only worker `self`: takes up to max packets other workers handed over.
  uint16_t receive(uint32_t self, rte_mbuf** pkts, uint16_t max) noexcept {
    const auto n = static_cast<uint16_t>(
        rte_ring_sc_dequeue_burst(rings_[self], reinterpret_cast<void**>(pkts), max, nullptr));
    for (uint16_t i = 0; i < n; ++i) tsan_acquire(pkts[i]);
    return n;
  }

  // Packets worker `from` dropped because the owner's ring was full.
  uint64_t dropped(uint32_t from) const noexcept { return drops_[from].get(); }

 private:
  struct alignas(kCacheLine) DropCounter : SaCounter {};

  explicit HandoffRings(uint32_t workers) : workers_(workers) {}

  uint32_t workers_;
  std::array<rte_ring*, kMaxWorkers> rings_{};
  std::array<DropCounter, kMaxWorkers> drops_{};
};

}  // namespace vpngw::dataplane
