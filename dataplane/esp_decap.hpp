// Inbound ESP, tunnel mode: verifies and decrypts outer IPv4 [+ UDP 4500] +
// ESP packets and strips them to the inner IPv4 packet.
//
// Order of checks, each failure a drop with its reason:
//   lengths and format (malformed), SPI, SA lifetime, anti-replay pre-check;
//   crypto: the ICV is computed over the ciphertext before decryption
//   (hash-then-cipher; GCM computes its tag alongside), then compared in
//   constant time; only an authentic packet can then move the replay
//   window (re-check, then advance); then padding (1, 2, 3, ...), next
//   header (IPv4), inner IPv4 header, traffic selectors of the SA.
//
// Input: single-segment mbufs whose data starts at the outer IPv4 header,
// protocol 50, or 17 for ESP-in-UDP (either is accepted on any SA: a NAT
// can appear or vanish mid-SA); each with the InboundSa its SPI selected.
// Output: the mbuf trimmed to the inner packet, data at its IPv4 header.
//
// Threading: the caller is the worker that owns every SA it passes.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/crypto_ctx.hpp"
#include "dataplane/drop_reason.hpp"
#include "dataplane/sa_runtime.hpp"

namespace vpngw::dataplane {

// Synchronous: pkts[0, result) are inner packets, in input order;
// pkts[result, n) are to be freed, why[i] naming the reason. Needs the
// inbound queue to be idle.
uint16_t esp_decap_burst(CryptoCtx& ctx, rte_mbuf** pkts, InboundSa* const* sas, uint16_t n,
                         DropReason* why) noexcept;

// Streaming, as esp_encap_submit/esp_encap_flush.
FinishedBurst esp_decap_submit(CryptoCtx& ctx, rte_mbuf* const* pkts, InboundSa* const* sas,
                               uint16_t n) noexcept;
FinishedBurst esp_decap_flush(CryptoCtx& ctx) noexcept;

}  // namespace vpngw::dataplane
