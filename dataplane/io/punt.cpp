#include "dataplane/io/punt.hpp"

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "dataplane/io/local_traffic.hpp"

namespace vpngw::dataplane::io {

namespace {

// The worker already checked it is an ARP reply with Ethernet/IPv4 sizes.
void learn_from_arp_reply(const rte_mbuf* m, NeighbourTable& neighbours) {
  const auto* arp = rte_pktmbuf_mtod_offset(m, const rte_arp_hdr*, sizeof(rte_ether_hdr));
  const uint32_t ip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
  if (ip == 0) return;  // address probe: nothing to learn
  neighbours.learn(Ipv4Addr{ip}, arp->arp_data.arp_sha);
}

bool is_arp(const rte_mbuf* m) {
  const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  return eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
}

}  // namespace

rte_ring* create_punt_ring(const std::string& name, unsigned size) {
  return rte_ring_create(name.c_str(), size, SOCKET_ID_ANY, RING_F_SC_DEQ);
}

void free_punt_ring(rte_ring* ring) {
  if (ring == nullptr) return;
  void* m = nullptr;
  while (rte_ring_dequeue(ring, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
  rte_ring_free(ring);
}

uint16_t drain_punt_ring(rte_ring* punt, NeighbourTable& neighbours, rte_mbuf** ike_out,
                         uint16_t max) {
  uint16_t stored = 0;
  void* objs[32];
  while (stored < max) {
    const unsigned want = std::min<unsigned>(32, max - stored);
    const unsigned got = rte_ring_dequeue_burst(punt, objs, want, nullptr);
    for (unsigned i = 0; i < got; ++i) {
      auto* m = static_cast<rte_mbuf*>(objs[i]);
      if (is_arp(m)) {
        learn_from_arp_reply(m, neighbours);
        rte_pktmbuf_free(m);
      } else {
        ike_out[stored++] = m;
      }
    }
    if (got < want) break;
  }
  return stored;
}

bool control_send(const PortRuntime& port, rte_mbuf* m) {
  if (port.control_tx == nullptr || rte_ring_enqueue(port.control_tx, m) != 0) {
    rte_pktmbuf_free(m);
    return false;
  }
  return true;
}

bool resolve_next_hop(rte_mempool* pool, const PortRuntime& port, Ipv4Addr next_hop,
                      const rte_ether_addr* to) {
  rte_mbuf* m = build_arp_request(pool, port, next_hop, to);
  return m != nullptr && control_send(port, m);
}

}  // namespace vpngw::dataplane::io
