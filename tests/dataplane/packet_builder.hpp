// Test packets: inner IPv4/UDP packets as bytes, mbufs made from bytes and
// back, and an owner that frees a test's mbufs whatever order a burst left
// them in.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vpngw::dataplane::test {

using Bytes = std::vector<uint8_t>;

// An IPv4/UDP packet of exactly `total_len` bytes (>= 28), valid checksum,
// payload bytes derived from `seed` so packets differ.
Bytes make_inner_packet(uint32_t src, uint32_t dst, uint16_t total_len, uint32_t seed,
                        uint8_t tos = 0, bool dont_fragment = false);

uint16_t ipv4_checksum(std::span<const uint8_t> header);
void set_ipv4_checksum(Bytes& packet, size_t ip_offset = 0);

std::string hex(std::span<const uint8_t> bytes);
Bytes unhex(const std::string& text);

// Allocated from the test pool; data starts at the default headroom.
rte_mbuf* mbuf_from(std::span<const uint8_t> bytes);
Bytes bytes_of(const rte_mbuf* m);

// Frees every mbuf it was given when the test ends.
class MbufOwner {
 public:
  MbufOwner() = default;
  ~MbufOwner();
  MbufOwner(const MbufOwner&) = delete;
  MbufOwner& operator=(const MbufOwner&) = delete;

  rte_mbuf* add(rte_mbuf* m) {
    owned_.push_back(m);
    return m;
  }
  rte_mbuf* make(std::span<const uint8_t> bytes) { return add(mbuf_from(bytes)); }

 private:
  std::vector<rte_mbuf*> owned_;
};

// Documentation/benchmark addresses only (RFC 5737, RFC 2544).
inline constexpr uint32_t kOurPublic = 0xC0000201;   // 192.0.2.1
inline constexpr uint32_t kPeerPublic = 0xCB007102;  // 203.0.113.2
inline constexpr uint32_t kLocalHost = 0xC612010A;   // 198.18.1.10, in 198.18.0.0/16
inline constexpr uint32_t kRemoteHost = 0xC6130214;  // 198.19.2.20, in 198.19.0.0/16

}  // namespace vpngw::dataplane::test
