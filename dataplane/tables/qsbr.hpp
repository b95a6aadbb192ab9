// The grace-period domain of the SA tables: one rte_rcu_qsbr variable with a
// thread id per worker (the worker index). Workers report a quiescent state
// once per loop iteration, after they flushed their crypto queues, because
// packets in flight hold SA pointers (crypto_ctx.hpp); they go offline
// before sleeping so the control thread never waits for a sleeper.
// The control thread waits out a grace period before it frees a retired SA.
#pragma once

#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <memory>
#include <string>

namespace vpngw::dataplane {

class Qsbr {
 public:
  // Every worker id below `workers` is registered, and offline until it
  // calls online(). Returns null with the reason in `error`.
  static std::unique_ptr<Qsbr> create(uint32_t workers, std::string* error);
  ~Qsbr();
  Qsbr(const Qsbr&) = delete;
  Qsbr& operator=(const Qsbr&) = delete;

  // --- worker `id` only ---
  void online(uint32_t id) noexcept { rte_rcu_qsbr_thread_online(v_, id); }
  void offline(uint32_t id) noexcept { rte_rcu_qsbr_thread_offline(v_, id); }
  // "I hold no SA pointer any more": call between loop iterations.
  void quiescent(uint32_t id) noexcept { rte_rcu_qsbr_quiescent(v_, id); }

  // --- control thread ---
  // Returns once every online worker has been quiescent since the call.
  // Yields the CPU while waiting instead of spinning like
  // rte_rcu_qsbr_synchronize: the control thread is not latency-critical,
  // and where it shares a core with a worker, spinning would only delay
  // the very report it waits for.
  void synchronize() noexcept;
  // Non-blocking form: start() names the grace period beginning now;
  // passed(token) says whether every online worker has been quiescent since.
  uint64_t start() noexcept { return rte_rcu_qsbr_start(v_); }
  bool passed(uint64_t token) noexcept { return rte_rcu_qsbr_check(v_, token, false) == 1; }
  uint32_t workers() const noexcept { return workers_; }
  rte_rcu_qsbr* get() const noexcept { return v_; }

 private:
  Qsbr(rte_rcu_qsbr* v, uint32_t workers) : v_(v), workers_(workers) {}

  rte_rcu_qsbr* v_;
  uint32_t workers_;
};

}  // namespace vpngw::dataplane
