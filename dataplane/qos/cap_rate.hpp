// A gateway's bandwidth cap turned into the two numbers the packet path needs:
// how many TSC cycles one byte costs and how deep the bucket is, also in cycles.
// Both are packed into one 64-bit word so the control thread changes a cap with
// a single atomic store and a worker never sees half of an update.
#pragma once

#include <cstdint>

namespace vpngw::dataplane::qos {

// Fixed point for cycles-per-byte: 16 fractional bits keep the cost of a byte
// exact to 1/65536 cycle, so a 2.1 GHz TSC at 1000 Mbps (16.8 cycles/byte)
// is not rounded to 16 or 17 (a 5% error).
inline constexpr unsigned kCostFractionBits = 16;

// Depth of the bucket: 2 ms of the rate, but never less than 8 full-size
// packets. The floor matters only for the slow tiers (it wins below 48 Mbps):
// at 5 Mbps it is 12 000 B = 19.2 ms. A deeper bucket would let a full bucket
// overshoot a 1-second window by more than 3% at 5 Mbps (3% of 1 s at 5 Mbps
// is 18 750 B); a shallower one would waste tokens between sparse polls.
inline constexpr uint64_t kBurstTimeUs = 2000;
inline constexpr uint64_t kMaxPacketBytes = 1500;
inline constexpr uint64_t kMinBurstBytes = 8 * kMaxPacketBytes;

// burst = max(rate x 2 ms, 8 x 1500 B), in bytes.
constexpr uint64_t burst_bytes_for(uint64_t rate_bps) {
  const uint64_t two_ms = rate_bps / 8 * kBurstTimeUs / 1'000'000;
  return two_ms > kMinBurstBytes ? two_ms : kMinBurstBytes;
}

// The packed word. A zero cost means "no rate configured": such a bucket
// admits nothing (a gateway the control thread has not set up yet, or one that
// is being deleted, must not send unmetered traffic).
struct CapRate {
  uint32_t cost_per_byte_q16 = 0;  // TSC cycles per byte, << kCostFractionBits
  uint32_t burst_cycles = 0;       // bucket depth as time: burst bytes x cost

  constexpr uint64_t pack() const {
    return (static_cast<uint64_t>(cost_per_byte_q16) << 32) | burst_cycles;
  }
  static constexpr CapRate unpack(uint64_t word) {
    return {static_cast<uint32_t>(word >> 32), static_cast<uint32_t>(word)};
  }
  constexpr bool configured() const { return cost_per_byte_q16 != 0; }
};

// Computes the packed rate for `rate_bps` on a clock ticking `tsc_hz` times a
// second. Returns an unconfigured CapRate (admits nothing) if the numbers do
// not fit 32 bits: rates below ~1 Mbps on a fast TSC, or rate_bps == 0.
CapRate make_cap_rate(uint64_t rate_bps, uint64_t tsc_hz);

}  // namespace vpngw::dataplane::qos
