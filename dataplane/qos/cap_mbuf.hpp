// The cap applied to a burst of mbufs: what a worker calls just before TX.
// Reads each packet's length and admits the prefix that fits the gateway's
// bucket. The caller sends pkts[0, sent), frees pkts[sent, n) and adds
// `dropped` to its per-worker over-cap counter.
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <cstdint>

#include "dataplane/qos/gateway_cap_table.hpp"

namespace vpngw::dataplane::qos {

struct CapMbufResult {
  uint16_t sent = 0;     // pkts[0, sent) may go to TX, in order
  uint16_t dropped = 0;  // pkts[sent, n): over the cap
  uint64_t sent_bytes = 0;
};

// Lengths are gathered on the stack in chunks of this many packets (one CAS
// per chunk; a worker's burst is 32, so normally one chunk).
inline constexpr uint16_t kCapChunk = 64;

inline CapMbufResult apply_cap(GatewayCapTable& caps, uint32_t gateway,
                               rte_mbuf* const* pkts, uint16_t n, uint64_t now) {
  CapMbufResult r;
  std::array<uint32_t, kCapChunk> lens;
  while (r.sent < n) {
    const auto chunk = static_cast<uint16_t>(n - r.sent < kCapChunk ? n - r.sent : kCapChunk);
    for (uint16_t i = 0; i < chunk; ++i) lens[i] = rte_pktmbuf_pkt_len(pkts[r.sent + i]);
    const CapVerdict v = caps.admit(gateway, {lens.data(), chunk}, now);
    r.sent = static_cast<uint16_t>(r.sent + v.admitted);
    r.sent_bytes += v.admitted_bytes;
    // Keep the admitted set a prefix: once a packet is refused, so is the rest.
    if (v.admitted < chunk) break;
  }
  r.dropped = static_cast<uint16_t>(n - r.sent);
  return r;
}

}  // namespace vpngw::dataplane::qos
