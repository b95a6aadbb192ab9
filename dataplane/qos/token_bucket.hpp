// One gateway's token bucket, shared by every worker core without a lock.
//
// The bucket is kept as a point in time, not a token count: `empty_at` is the
// TSC value at which the bucket was (or will be) empty. Tokens at `now` are
// the time elapsed since then, converted to bytes and capped at the bucket
// depth. Admitting N bytes moves `empty_at` forward by N bytes' worth of
// cycles. Refill therefore needs no timer and no second variable, and one
// compare-and-swap claims a whole burst's bytes, however many workers race.
// (The "time at which the bucket is empty" design used by folly's and Envoy's
// shared token buckets.)
//
// The clock is injected: callers pass `now` in cycles, read once per burst
// (rte_rdtsc() on the workers, a fake clock in tests). Nothing here makes a
// syscall, allocates or logs.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>

#include "dataplane/qos/cap_rate.hpp"

namespace vpngw::dataplane::qos {

// What a burst admission decided. Admission is a prefix: packets
// [0, admitted) may be sent, [admitted, n) are over the cap and the caller
// drops them and counts them as "over cap".
struct CapVerdict {
  uint16_t admitted = 0;
  uint64_t admitted_bytes = 0;
};

// One cache line per gateway: workers write `empty_at`, so two gateways must
// never share a line.
struct alignas(64) GatewayBucket {
  std::atomic<uint64_t> empty_at{0};  // TSC cycles; 0 = full since boot
  std::atomic<uint64_t> rate{0};      // CapRate::pack(); 0 = admit nothing

  // Worker side. `lengths` are the packets' byte counts in send order (at most
  // 65 535 of them; a burst is 32). Lock-free: retries only when another
  // worker admitted for the same gateway between our load and our CAS.
  CapVerdict admit(std::span<const uint32_t> lengths, uint64_t now) {
    const CapRate r = CapRate::unpack(rate.load(std::memory_order_acquire));
    if (!r.configured() || lengths.empty()) return {};
    uint64_t seen = empty_at.load(std::memory_order_relaxed);
    for (;;) {
      // A bucket idle for longer than its depth is full, not fuller.
      const uint64_t oldest = now > r.burst_cycles ? now - r.burst_cycles : 0;
      const uint64_t base = seen > oldest ? seen : oldest;
      // Another worker's clock may be slightly ahead of ours: no tokens yet.
      if (base >= now) return {};
      const uint64_t tokens = ((now - base) << kCostFractionBits) / r.cost_per_byte_q16;
      CapVerdict v;
      for (const uint32_t len : lengths) {
        if (v.admitted_bytes + len > tokens) break;
        v.admitted_bytes += len;
        ++v.admitted;
      }
      if (v.admitted == 0) return v;
      // Rounded up so rounding never admits more than the rate.
      const uint64_t cost =
          (v.admitted_bytes * r.cost_per_byte_q16 + ((uint64_t{1} << kCostFractionBits) - 1)) >>
          kCostFractionBits;
      // Relaxed is enough: `empty_at` publishes no other data, and the CAS on
      // this one word is what orders the workers' claims.
      if (empty_at.compare_exchange_weak(seen, base + cost, std::memory_order_relaxed))
        return v;
      // `seen` now holds the winner's value: recompute against it.
    }
  }

  // Control thread side. Changing the rate keeps `empty_at`: traffic is not
  // reset, the new cost applies from the next burst a worker admits.
  void set_rate(CapRate r) { rate.store(r.pack(), std::memory_order_release); }

  // Control thread side, for a slot handed to a new gateway: rate set and the
  // bucket full.
  void reset(CapRate r) {
    empty_at.store(0, std::memory_order_relaxed);
    set_rate(r);
  }
};

static_assert(sizeof(GatewayBucket) == 64, "one gateway bucket per cache line");
static_assert(std::atomic<uint64_t>::is_always_lock_free, "the packet path must not lock");

}  // namespace vpngw::dataplane::qos
