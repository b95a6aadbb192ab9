// Builds the Ethernet frames the I/O tests inject, and checks checksums of
// what comes back.
#pragma once

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdint>
#include <vector>

namespace vpngw::dataplane::io::test {

inline constexpr rte_ether_addr kHostMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x99}};

uint32_t be_ip(const char* dotted);

rte_mbuf* arp_frame(rte_mempool* pool, uint16_t op, const rte_ether_addr& sha, uint32_t sip_be,
                    const rte_ether_addr& tha, uint32_t tip_be);
rte_mbuf* icmp_echo_frame(rte_mempool* pool, const rte_ether_addr& dst_mac, uint32_t src_be,
                          uint32_t dst_be, uint16_t id, uint16_t seq,
                          const std::vector<uint8_t>& payload);
rte_mbuf* udp_frame(rte_mempool* pool, const rte_ether_addr& dst_mac, uint32_t src_be,
                    uint32_t dst_be, uint16_t dport, const std::vector<uint8_t>& payload);
rte_mbuf* esp_frame(rte_mempool* pool, const rte_ether_addr& dst_mac, uint32_t src_be,
                    uint32_t dst_be, uint32_t spi);

// True when the one's-complement sum over the bytes (with the checksum field
// in place) is 0xffff, i.e. the checksum is valid.
bool checksum_ok(const void* data, size_t len);

}  // namespace vpngw::dataplane::io::test
