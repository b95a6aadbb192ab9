#include "dataplane/tables/qsbr.hpp"

#include <rte_malloc.h>

#include <thread>

namespace vpngw::dataplane {

std::unique_ptr<Qsbr> Qsbr::create(uint32_t workers, std::string* error) {
  if (workers == 0 || workers > RTE_MAX_LCORE) {
    *error = "worker count must be 1.." + std::to_string(RTE_MAX_LCORE);
    return nullptr;
  }
  const size_t size = rte_rcu_qsbr_get_memsize(workers);
  auto* v = static_cast<rte_rcu_qsbr*>(rte_zmalloc("vpngw_sa_qsbr", size, RTE_CACHE_LINE_SIZE));
  if (v == nullptr) {
    *error = "cannot allocate the QSBR variable";
    return nullptr;
  }
  if (rte_rcu_qsbr_init(v, workers) != 0) {
    rte_free(v);
    *error = "rte_rcu_qsbr_init failed";
    return nullptr;
  }
  for (uint32_t id = 0; id < workers; ++id) rte_rcu_qsbr_thread_register(v, id);
  return std::unique_ptr<Qsbr>(new Qsbr(v, workers));
}

Qsbr::~Qsbr() { rte_free(v_); }

void Qsbr::synchronize() noexcept {
  const uint64_t token = rte_rcu_qsbr_start(v_);
  while (rte_rcu_qsbr_check(v_, token, false) == 0) std::this_thread::yield();
}

}  // namespace vpngw::dataplane
