// Sorting received frames into what the appliance answers itself (ARP, ping),
// what goes to the control thread (IKE, ARP replies) and what the forwarding
// stages get (ESP, transit). Packet-path code: no allocation, no syscalls.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "common/net.hpp"
#include "dataplane/io/port.hpp"

namespace vpngw::dataplane::io {

enum class PacketClass : uint8_t {
  arp_request_for_us,  // answered in place
  arp_reply,           // punted: the control thread learns the sender's MAC
  arp_not_for_us,      // dropped
  icmp_echo_for_us,    // answered in place
  ike,                 // punted: UDP 500, or UDP 4500 with the non-ESP marker
  forward,             // ESP, ESP-in-UDP and transit: the forwarding hook's
  malformed,           // dropped
};

inline constexpr uint16_t kIkePort = 500;
inline constexpr uint16_t kNatTPort = 4500;

// True for the port's own address and, on the public port, any gateway IP.
bool is_local_address(const PortRuntime& port, uint32_t ip_be);

PacketClass classify(const rte_mbuf* m, const PortRuntime& port);

// Rewrites an ARP request for one of our addresses into the reply, in place.
void make_arp_reply(rte_mbuf* m, const PortRuntime& port);
// Rewrites an ICMP echo request into the echo reply, in place (addresses
// swapped, both checksums recomputed).
void make_echo_reply(rte_mbuf* m, const PortRuntime& port);

// Control thread: an ARP request for `target` from the port's address,
// broadcast, or unicast to `to` when given (re-validating a known MAC).
rte_mbuf* build_arp_request(rte_mempool* pool, const PortRuntime& port, Ipv4Addr target,
                            const rte_ether_addr* to = nullptr);

}  // namespace vpngw::dataplane::io
