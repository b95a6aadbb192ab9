#include "dataplane/tables/handoff.hpp"

#include <rte_errno.h>

namespace vpngw::dataplane {

std::unique_ptr<HandoffRings> HandoffRings::create(const std::string& name, uint32_t workers,
                                                   uint32_t ring_size, int socket_id,
                                                   std::string* error) {
  if (workers == 0 || workers > kMaxWorkers) {
    *error = "handoff rings: worker count must be 1.." + std::to_string(kMaxWorkers);
    return nullptr;
  }
  if (!rte_is_power_of_2(ring_size) || ring_size < 2) {
    *error = "handoff rings: size must be a power of two, at least 2";
    return nullptr;
  }
  std::unique_ptr<HandoffRings> rings(new HandoffRings(workers));
  for (uint32_t w = 0; w < workers; ++w) {
    const std::string ring_name = name + "_" + std::to_string(w);
    rings->rings_[w] = rte_ring_create(ring_name.c_str(), ring_size, socket_id, RING_F_SC_DEQ);
    if (rings->rings_[w] == nullptr) {
      *error = "rte_ring_create(" + ring_name + "): " + rte_strerror(rte_errno);
      return nullptr;  // the destructor frees the rings made so far
    }
  }
  return rings;
}

HandoffRings::~HandoffRings() {
  for (rte_ring* ring : rings_) {
    if (ring == nullptr) continue;
    void* m = nullptr;
    while (rte_ring_sc_dequeue(ring, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    rte_ring_free(ring);
  }
}

}  // namespace vpngw::dataplane
