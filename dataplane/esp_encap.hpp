// Outbound ESP, tunnel mode (RFC 4303, RFC 3948 for ESP-in-UDP): turns inner
// IPv4 packets into outer IPv4 [+ UDP] + ESP + IV + encrypted payload + ICV.
//
// Input: single-segment mbufs whose data starts at the inner IPv4 header,
// each with the OutboundSa the SPD chose for it. The mbuf is modified in
// place (header prepended into the headroom, trailer appended), so each
// needs kEspMaxHeadroom/kEspMaxTailroom bytes: DPDK's default 128-byte
// headroom and a 2 KB data room are plenty.
//
// Outer header: TTL 64, TOS (DSCP + ECN) and DF copied from the inner
// header (RFC 4301 §5.1.2.1 default, RFC 6040 normal mode), ID from the
// sequence number, checksum computed; UDP checksum 0 (RFC 3948 §2.1).
// IVs: CBC from the worker's IvGenerator (unpredictable); GCM from the SA's
// per-install random base plus the sequence number (never repeats).
//
// Threading: the caller is the worker that owns every SA it passes.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/crypto_ctx.hpp"
#include "dataplane/drop_reason.hpp"
#include "dataplane/sa_runtime.hpp"

namespace vpngw::dataplane {

// Outer IPv4 + UDP + ESP header + 16-byte IV.
inline constexpr uint16_t kEspMaxHeadroom = kIpv4HeaderLen + kUdpHeaderLen + kEspHeaderLen + 16;
// Up to 15 bytes of padding, pad length, next header, 16-byte ICV.
inline constexpr uint16_t kEspMaxTailroom = 15 + 2 + 16;

// Synchronous: every packet is finished on return. pkts[0, result) are ESP
// packets ready to send, in input order; pkts[result, n) are to be freed,
// why[i] naming the reason. Needs the outbound queue to be idle (it is,
// unless esp_encap_submit left packets in flight: flush those first).
uint16_t esp_encap_burst(CryptoCtx& ctx, rte_mbuf** pkts, OutboundSa* const* sas, uint16_t n,
                         DropReason* why) noexcept;

// Streaming: queues n (<= kMaxBurst) packets and returns the packets that
// finished meanwhile, which may include earlier calls' packets; packets are
// returned in submission order, except that dropped ones may come earlier.
// Call esp_encap_flush when there is no more input (idle poll) and before
// an RCU quiescent report.
FinishedBurst esp_encap_submit(CryptoCtx& ctx, rte_mbuf* const* pkts, OutboundSa* const* sas,
                               uint16_t n) noexcept;
FinishedBurst esp_encap_flush(CryptoCtx& ctx) noexcept;

}  // namespace vpngw::dataplane
