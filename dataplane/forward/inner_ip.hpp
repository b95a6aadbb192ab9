// What the gateway does to inner IPv4 packets as the router between the VPC
// and the tunnel: TTL decrement, TCP MSS clamping, the largest inner packet
// an SA's ESP packet carries within the public MTU, ICMP errors about a
// packet (time exceeded, fragmentation needed) and fragmentation before
// encryption (RFC 4459 section 3, "pre-fragmentation").
//
// Packet-path code: no lock, no syscall, no heap; the only allocations are
// mbufs from the packet's own pool (fragments, ICMP errors), both on rare
// paths.
#pragma once

#include <rte_ip.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "dataplane/sa_runtime.hpp"

namespace vpngw::dataplane::forward {

inline constexpr uint32_t kIpv4MinHeader = 20;
inline constexpr uint32_t kTcpMinHeader = 20;

// RFC 1624 eqn. 3: the checksum (as stored) after a 16-bit word of the
// covered data changes from `old_word` to `new_word`. All three in the same
// byte order (ones'-complement sums do not care which).
inline uint16_t checksum_update16(uint16_t checksum, uint16_t old_word,
                                  uint16_t new_word) noexcept {
  uint32_t sum = static_cast<uint16_t>(~checksum) + static_cast<uint16_t>(~old_word) +
                 static_cast<uint32_t>(new_word);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Decrements the TTL and patches the header checksum (the TTL shares a
// 16-bit word with the protocol). The caller has checked TTL > 1.
inline void decrement_ttl(rte_ipv4_hdr* ip) noexcept {
  // TTL and protocol as one 16-bit word, changed in a register and stored
  // once: storing the TTL byte and reloading the word would stall on store
  // forwarding (~14 cycles a packet, measured in the benchmark).
  uint16_t before;
  std::memcpy(&before, &ip->time_to_live, sizeof(before));
  uint8_t bytes[2];
  std::memcpy(bytes, &before, sizeof(bytes));
  --bytes[0];
  uint16_t after;
  std::memcpy(&after, bytes, sizeof(after));
  std::memcpy(&ip->time_to_live, &after, sizeof(after));
  ip->hdr_checksum = checksum_update16(ip->hdr_checksum, before, after);
}

inline bool dont_fragment(const rte_ipv4_hdr* ip) noexcept {
  return (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) != 0;
}

// The largest inner IPv4 packet whose ESP packet fits in `mtu` bytes:
// `fixed` bytes of outer IPv4 [+ UDP] + ESP header + IV + ICV, and the inner
// packet + pad length + next header padded to the cipher block (4 for GCM;
// always a power of 2). 0 when nothing fits.
inline uint32_t max_inner_len(uint32_t fixed, uint32_t block_len, uint32_t mtu) noexcept {
  if (mtu < fixed + block_len) return 0;
  const uint32_t payload = (mtu - fixed) & ~(block_len - 1);
  return payload >= kIpv4MinHeader + 2 ? payload - 2 : 0;
}

// Exact for the SA: its header length (outer, ESP, IV), ICV and block.
inline uint32_t max_inner_len(const OutboundSa& sa, uint32_t mtu) noexcept {
  return max_inner_len(uint32_t{sa.header_len} + sa.job.icv_len, sa.job.block_len, mtu);
}

// The TCP MSS that makes a full segment (40 bytes of IPv4 + TCP headers)
// fit in `max_inner` bytes.
inline uint16_t mss_for(uint32_t max_inner) noexcept {
  return static_cast<uint16_t>(max_inner > 40 + 64 ? std::min<uint32_t>(max_inner - 40, 65535)
                                                   : 64);
}

// True for a TCP segment (first fragment or whole) with SYN set whose TCP
// header is within the `len` readable bytes.
bool is_tcp_syn(const rte_ipv4_hdr* ip, uint32_t len) noexcept;

// When `ip` (`len` bytes readable from it) is a TCP segment with SYN set
// (SYN or SYN-ACK) whose MSS option is above `max_mss`, lowers the option
// to `max_mss` and patches the TCP checksum. True when it changed the
// packet. Anything unexpected (fragment, truncated header or options)
// leaves the packet alone.
bool clamp_tcp_mss(rte_ipv4_hdr* ip, uint32_t len, uint16_t max_mss) noexcept;

// RFC 1812 section 4.3.2.7: no ICMP error about an ICMP error, a non-first
// fragment, or a packet from an address that is not a unicast host.
bool may_send_icmp_error(const rte_ipv4_hdr* ip) noexcept;

inline constexpr uint8_t kIcmpDestUnreachable = 3;
inline constexpr uint8_t kIcmpFragNeeded = 4;  // code, with type 3 (RFC 1191)
inline constexpr uint8_t kIcmpTimeExceeded = 11;
inline constexpr uint8_t kIcmpTtlExceeded = 0;  // code, with type 11
// An ICMP error quotes the packet up to a 576-byte datagram (RFC 1812
// section 4.3.2.3).
inline constexpr uint32_t kIcmpErrorMaxLen = 576;

// An Ethernet frame (ether_type IPv4, MACs left for send_to_next_hop)
// carrying the ICMP error `type`/`code` about `ip` (`len` bytes of it
// readable), from `src_be` to the packet's source, TTL `ttl`, quoting the
// packet's start. For fragmentation needed, `next_hop_mtu` goes in the
// header (RFC 1191). A new mbuf from `pool`; null when the pool is empty.
// The caller has checked may_send_icmp_error.
rte_mbuf* make_icmp_error(rte_mempool* pool, const rte_ipv4_hdr* ip, uint32_t len, uint8_t type,
                          uint8_t code, uint16_t next_hop_mtu, uint32_t src_be,
                          uint8_t ttl = 64) noexcept;

// At most `burst` ICMP errors back to back, then one per `interval` ticks
// (GCRA); per worker, so no shared state.
struct IcmpRateLimit {
  uint64_t interval = 0;  // 0: not set yet, the hook sets it from the clock rate
  uint64_t burst = 16;
  uint64_t tat = 0;  // theoretical arrival time of the next message

  bool allow(uint64_t now) noexcept {
    const uint64_t t = std::max(tat, now);
    if (t - now > interval * (burst - 1)) return false;
    tat = t + interval;
    return true;
  }
};

// Upper bound on the fragments one packet may become (MTUs >= 576 and 2 KB
// mbufs need at most 5).
inline constexpr uint16_t kMaxFragments = 64;

// Splits `m` (data at its IPv4 header, single segment, nothing past the
// IPv4 total length, DF clear) into fragments of at most `max_len` bytes
// (RFC 791): fragment data in multiples of 8, offsets and MF relative to
// the packet's own (it may itself be a fragment), options without the copy
// flag only in the first fragment, fresh header checksums. The first
// fragment is `m` itself, trimmed; the others are new mbufs from `m`'s
// pool. Writes them in order to `out` and returns how many (>= 2). Returns
// 0 with `m` untouched when a fragment would need more than
// `max_fragments`, `max_len` leaves no room for 8 data bytes, or the pool
// runs dry.
uint16_t fragment_ipv4(rte_mbuf* m, uint32_t max_len, rte_mbuf** out,
                       uint16_t max_fragments) noexcept;

}  // namespace vpngw::dataplane::forward
