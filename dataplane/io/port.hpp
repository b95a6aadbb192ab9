// Bringing up the public and private ports: queues, offloads, MTU, start.
// Control-path code; the workers only read the resulting PortRuntime.
#pragma once

#include <cstdint>
#include <string>

#include <rte_ether.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "common/net.hpp"

namespace vpngw::dataplane::io {

class AddressSet;

struct PortConfig {
  uint16_t port_id = 0;
  Ipv4Addr address;           // the appliance's own address on this port
  uint8_t prefix_len = 24;
  Ipv4Addr next_hop;          // default next hop; 0.0.0.0 when none
  uint16_t mtu = 1500;
  bool promiscuous = false;   // only needed when the port must see foreign MACs
};

// What a worker needs to know about a port; flat and read-only once started.
struct PortRuntime {
  uint16_t port_id = 0;
  rte_ether_addr mac{};
  uint32_t address_be = 0;      // network byte order, compared with packet fields
  uint32_t netmask_be = 0;
  uint32_t next_hop_be = 0;     // 0 when none
  uint16_t mtu = 1500;
  // Extra addresses answered on this port (the gateways' public IPs on the
  // public port); nullptr for none.
  const AddressSet* extra_addresses = nullptr;
  // Packets the control thread wants sent (ARP requests, IKE); drained by any
  // worker with drains_control_tx set, the least busy first (worker.hpp).
  // SP/MC ring.
  rte_ring* control_tx = nullptr;
};

// Mbuf pool sized for `--no-huge -m 256` (8191 x ~2.3 KiB is about 19 MiB).
rte_mempool* create_mbuf_pool(const std::string& name, uint32_t n_mbufs = 8191);

// Configures `queues` RX and TX queue pairs (one per worker), masks requested
// offloads by what the port supports, sets the MTU, starts the port and
// creates its control TX ring. Returns "" on success, else why it failed.
std::string port_start(const PortConfig& config, uint16_t queues, rte_mempool* pool,
                       PortRuntime* out);
// Stops and closes the port, frees its control TX ring (and anything in it).
void port_stop(PortRuntime* port);

}  // namespace vpngw::dataplane::io
