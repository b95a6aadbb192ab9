// Replacing a lookup table while workers read it, without blocking them:
// the control thread builds a complete new table, publishes it with one
// pointer store, and frees the old one only after every worker has passed a
// quiescent state (DPDK QSBR), so no reader can still hold it.
//
// Who does what:
//  - Workers: `const T* t = published.get();` at most once per loop
//    iteration, never keep `t` across rte_rcu_qsbr_quiescent(), and report
//    quiescence (or go offline) on the same rte_rcu_qsbr the table uses.
//  - Control thread (the only writer): replace(), then either reclaim() on
//    its periodic tick (non-blocking: frees what is safe, keeps the rest) or
//    reclaim_blocking() when the caller must know the memory is gone. The
//    destructor waits for a grace period too, so destroy it only on the
//    control thread and never from a registered reader.
#pragma once

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace vpngw::dataplane {

template <class Table>
class PublishedTable {
 public:
  // `qsbr` is the variable the workers report to; it must outlive this.
  explicit PublishedTable(rte_rcu_qsbr* qsbr, std::unique_ptr<Table> initial = nullptr)
      : qsbr_(qsbr), current_(initial.release()) {}
  ~PublishedTable() {
    // Same ordering as replace(): unpublish, then wait out the readers.
    retire(current_.exchange(nullptr, std::memory_order_acq_rel));
    reclaim_blocking();
  }
  PublishedTable(const PublishedTable&) = delete;
  PublishedTable& operator=(const PublishedTable&) = delete;

  // Packet path; nullptr while nothing is published (treat as "no match").
  // Acquire pairs with the release in replace(): a worker that
  // sees the new pointer also sees the fully built table behind it.
  const Table* get() const noexcept { return current_.load(std::memory_order_acquire); }

  // Control thread: publishes `next` (may be nullptr) and queues the old
  // table for freeing after a grace period.
  void replace(std::unique_ptr<Table> next) {
    // Release publishes the built table; acquire is for the old pointer,
    // which this thread published itself (kept for symmetry with get()).
    Table* old = current_.exchange(next.release(), std::memory_order_acq_rel);
    retire(old);
  }

  // Control thread: frees every retired table no worker can still see.
  // Returns how many remain queued.
  size_t reclaim() {
    std::erase_if(retired_, [this](const Retired& r) {
      return rte_rcu_qsbr_check(qsbr_, r.token, false) == 1;
    });
    return retired_.size();
  }

  // Control thread: waits until no worker can still see any retired table,
  // then frees them all. Tokens grow with every start(), so the grace
  // period of the newest retiree covers the older ones. (The inline check
  // rather than rte_rcu_qsbr_synchronize() also lets ThreadSanitizer see
  // the acquire that orders the free after the readers' last use.)
  void reclaim_blocking() {
    if (retired_.empty()) return;
    rte_rcu_qsbr_check(qsbr_, retired_.back().token, true);
    retired_.clear();
  }

  size_t retired_count() const { return retired_.size(); }

 private:
  struct Retired {
    uint64_t token;  // grace period that must end before `table` is freed
    std::unique_ptr<Table> table;
  };

  void retire(Table* old) {
    if (old == nullptr) return;
    // The token is taken after the pointer swap, so the readers it waits
    // for include every one that might have loaded `old`.
    retired_.push_back({rte_rcu_qsbr_start(qsbr_), std::unique_ptr<Table>(old)});
  }

  rte_rcu_qsbr* qsbr_;
  std::atomic<Table*> current_;
  std::vector<Retired> retired_;
};

}  // namespace vpngw::dataplane
