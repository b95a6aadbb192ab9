// What the workers saw of ARP, for the control thread to learn from: the
// sender's address and MAC of every ARP reply and of requests addressed to
// us (or of any ARP that contradicts a known entry). A fixed MP/SC ring of
// small records, not the punted frames: a flood of ARP can neither hold
// mbufs nor crowd IKE out of the punt ring. When the ring is full the
// observation is lost and counted; the ARP request itself is still answered.
#pragma once

#include <rte_ether.h>
#include <rte_ring.h>

#include <cstdint>
#include <string>

namespace vpngw::dataplane::io {

enum class ArpKind : uint8_t {
  reply,           // an ARP reply (solicited or not: the resolver decides)
  request_for_us,  // a request for one of our addresses
  other,           // any other ARP whose sender contradicts our table (e.g. gratuitous)
};

struct ArpObservation {
  uint32_t sender_ip_be = 0;
  rte_ether_addr sender_mac{};
  uint8_t port_index = 0;
  ArpKind kind = ArpKind::reply;
};
static_assert(sizeof(ArpObservation) == 12, "ring elements are multiples of 4 bytes");

// Many workers enqueue, the control thread alone dequeues.
rte_ring* create_arp_observation_ring(const std::string& name, unsigned size = 1024);
void free_arp_observation_ring(rte_ring* ring);

// Worker: false when the ring is full (the observation is dropped).
inline bool post_arp_observation(rte_ring* ring, const ArpObservation& o) {
  return rte_ring_mp_enqueue_elem(ring, const_cast<ArpObservation*>(&o), sizeof o) == 0;
}

// Control thread: up to `max` observations; returns how many.
unsigned take_arp_observations(rte_ring* ring, ArpObservation* out, unsigned max);

}  // namespace vpngw::dataplane::io
