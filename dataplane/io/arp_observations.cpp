#include "dataplane/io/arp_observations.hpp"

#include <rte_ring_elem.h>

namespace vpngw::dataplane::io {

rte_ring* create_arp_observation_ring(const std::string& name, unsigned size) {
  return rte_ring_create_elem(name.c_str(), sizeof(ArpObservation), size, SOCKET_ID_ANY, RING_F_SC_DEQ);
}

void free_arp_observation_ring(rte_ring* ring) { rte_ring_free(ring); }

unsigned take_arp_observations(rte_ring* ring, ArpObservation* out, unsigned max) {
  return rte_ring_sc_dequeue_burst_elem(ring, out, sizeof(ArpObservation), max, nullptr);
}

}  // namespace vpngw::dataplane::io
