// IKE datagrams as Ethernet frames on the public port: what the punt ring
// delivers and what the control TX path sends. Plain byte handling, no DPDK,
// so the formats are testable on their own (against scapy).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "ike/bytes.hpp"
#include "ike/engine/engine_io.hpp"

namespace vpngw::ike_glue {

using MacAddr = std::array<uint8_t, 6>;

struct ReceivedIke {
  ike::Datagram datagram;  // non-ESP marker stripped
  bool keepalive = false;  // RFC 3948 NAT keepalive (one 0xFF byte): no IKE message
};

// Ethernet + IPv4 + UDP to port 500, or to 4500 with the non-ESP marker (or
// a keepalive). nullopt for anything else: truncated, IP fragments, options
// beyond the header length, lengths that disagree, a 4500 datagram without
// the marker (that is ESP, which never reaches the control thread).
std::optional<ReceivedIke> parse_ike_frame(ike::ByteView frame);

// The frame that carries `datagram` from `src_mac` to `dst_mac`: IPv4
// (TTL 64, the given identification), UDP with its checksum, and the
// non-ESP marker when either port is not 500.
ike::Bytes build_ike_frame(const ike::Datagram& datagram, const MacAddr& src_mac, const MacAddr& dst_mac,
                           uint16_t ip_id);

// A NAT keepalive frame: one 0xFF byte from local to remote (port 4500).
ike::Bytes build_keepalive_frame(const ike::Endpoint& local, const ike::Endpoint& remote, const MacAddr& src_mac,
                                 const MacAddr& dst_mac, uint16_t ip_id);

}  // namespace vpngw::ike_glue
