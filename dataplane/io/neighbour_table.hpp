// Next hops' MAC addresses (the ARP cache the workers read). The control
// thread is the only writer (NeighbourResolver decides what goes in); workers
// read without locks.
//
// An open-addressing table of atomic slots, one array per field. A removed
// entry leaves a tombstone that a later insert may reuse; a reader that finds
// its key re-reads the key after the MAC, so it never takes the MAC of an
// entry that replaced its own in the same slot. Tombstones make misses probe
// further: when live entries and tombstones fill three quarters of the slots,
// the control thread builds a compact copy, publishes it with one pointer
// store and frees the old one after an RCU grace period (the workers' QSBR
// variable). Without one (unit tests) the table is never compacted.
#pragma once

#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/net.hpp"

namespace vpngw::dataplane::io {

class NeighbourTable {
 public:
  static constexpr size_t kSlots = 4096;
  // Live entries at most (a hard bound; the resolver keeps below it).
  static constexpr size_t kMaxEntries = 1024;

  NeighbourTable();
  ~NeighbourTable();
  NeighbourTable(const NeighbourTable&) = delete;
  NeighbourTable& operator=(const NeighbourTable&) = delete;

  // Control thread, before workers use the table: the QSBR variable they
  // report to, which lets the table compact itself.
  void use_rcu(rte_rcu_qsbr* qsbr) { qsbr_ = qsbr; }
  // Control thread, once no worker reads the table any more (they were
  // stopped): frees every retired copy and forgets the QSBR variable,
  // which may go away before the table does.
  void workers_stopped() {
    retired_.clear();
    qsbr_ = nullptr;
  }

  // Control thread only: records (or updates) ip -> mac. False when full.
  bool learn(Ipv4Addr ip, const rte_ether_addr& mac);
  // Control thread only: removes the entry (workers stop using it at once).
  void forget(Ipv4Addr ip);
  // Control thread only: whether a worker used the entry since the last
  // call (the flag is cleared).
  bool take_used(Ipv4Addr ip);
  // Control thread only: frees compacted-away copies no worker can still see.
  void reclaim();

  // Any thread. ip in network byte order, as in the packet. A hit marks the
  // entry used unless `mark_used` is false.
  bool lookup_be(uint32_t ip_be, rte_ether_addr* mac, bool mark_used = true) const;
  bool lookup(Ipv4Addr ip, rte_ether_addr* mac, bool mark_used = true) const;
  // Any thread: changes whenever an entry's MAC is set. A worker holding
  // packets for unresolved next hops looks again only when it moved.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  size_t size() const;
  // Live entries plus tombstones in the current copy.
  size_t occupied() const;

 private:
  struct Slots {
    std::array<std::atomic<uint32_t>, kSlots> ips{};   // host order; kEmpty / kTombstone
    std::array<std::atomic<uint64_t>, kSlots> macs{};  // 48-bit MAC | kValid
    std::array<std::atomic<uint8_t>, kSlots> used{};
    size_t live = 0;
    size_t occupied = 0;
  };
  struct Retired {
    uint64_t token;
    std::unique_ptr<Slots> slots;
  };
  static constexpr uint32_t kEmpty = 0;
  static constexpr uint32_t kTombstone = 0xffffffff;
  static constexpr uint64_t kValid = uint64_t{1} << 48;

  static size_t slot_of(uint32_t host_order);
  static size_t find(const Slots& s, uint32_t v);  // kSlots when absent
  static bool insert(Slots& s, uint32_t v, uint64_t word, uint8_t used);
  void compact();

  std::atomic<Slots*> current_;
  std::unique_ptr<Slots> owned_;  // what current_ points to
  std::vector<Retired> retired_;
  std::atomic<uint64_t> generation_{0};
  rte_rcu_qsbr* qsbr_ = nullptr;
};

}  // namespace vpngw::dataplane::io
