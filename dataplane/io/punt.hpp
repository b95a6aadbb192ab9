// The control thread's side of the I/O layer: the punt ring workers fill with
// IKE packets and ARP replies, the control TX path, and next-hop resolution.
#pragma once

#include <cstdint>
#include <string>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "common/net.hpp"
#include "dataplane/io/neighbour_table.hpp"
#include "dataplane/io/port.hpp"

namespace vpngw::dataplane::io {

// Many workers enqueue, the control thread alone dequeues (MP/SC).
rte_ring* create_punt_ring(const std::string& name, unsigned size = 1024);
// Frees the ring and every packet still in it.
void free_punt_ring(rte_ring* ring);

// Control thread: takes up to `max` punted packets. ARP replies are learned
// into `neighbours` and freed; IKE packets are returned in `ike_out` (the
// caller owns and frees them; m->port tells the port they came in on).
// Returns how many IKE packets were stored.
uint16_t drain_punt_ring(rte_ring* punt, NeighbourTable& neighbours, rte_mbuf** ike_out,
                         uint16_t max);

// Control thread: queues a complete Ethernet frame for transmission on the
// port (a worker sends it). Frees the packet and returns false when full.
bool control_send(const PortRuntime& port, rte_mbuf* m);

// Control thread: sends an ARP request for `next_hop` on the port
// (broadcast, or unicast to `to`). The reply comes back as an ArpObservation
// or, without that ring, through the punt ring (drain_punt_ring learns it).
bool resolve_next_hop(rte_mempool* pool, const PortRuntime& port, Ipv4Addr next_hop,
                      const rte_ether_addr* to = nullptr);

}  // namespace vpngw::dataplane::io
