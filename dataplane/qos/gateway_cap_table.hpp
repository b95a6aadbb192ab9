// Every gateway's bandwidth cap, in one fixed array indexed by a dense gateway
// index (the control thread assigns indexes; the VPC route / SA tables carry
// the index to the workers). Workers call admit(); only the control thread
// calls install(), set_bandwidth() and remove().
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "dataplane/qos/cap_rate.hpp"
#include "dataplane/qos/token_bucket.hpp"

namespace vpngw::dataplane::qos {

// 64 KiB of buckets; allocate the table once (std::make_unique) at start-up.
inline constexpr uint32_t kMaxGateways = 1024;

constexpr uint64_t mbps_to_bps(uint32_t mbps) { return uint64_t{mbps} * 1'000'000; }

class GatewayCapTable {
 public:
  // `tsc_hz`: ticks per second of the clock the workers pass to admit()
  // (rte_get_tsc_hz() in production).
  explicit GatewayCapTable(uint64_t tsc_hz) : tsc_hz_(tsc_hz) {}
  GatewayCapTable(const GatewayCapTable&) = delete;
  GatewayCapTable& operator=(const GatewayCapTable&) = delete;

  // Worker side: admits the longest prefix of a burst that fits the
  // gateway's bucket. `gateway` must be below kMaxGateways (the index comes
  // from tables the control thread built, so it is not re-checked here).
  CapVerdict admit(uint32_t gateway, std::span<const uint32_t> lengths, uint64_t now) {
    return buckets_[gateway].admit(lengths, now);
  }

  // Control side: a new gateway in `gateway`'s slot, bucket full. False if
  // the index or the rate cannot be used (nothing is changed then).
  bool install(uint32_t gateway, uint64_t rate_bps);

  // Control side: `gateway modify --bandwidth`. One atomic store; workers use
  // the new rate from their next burst; the bucket's state is kept.
  bool set_bandwidth(uint32_t gateway, uint64_t rate_bps);

  // Control side: the slot admits nothing until installed again.
  void remove(uint32_t gateway);

  uint64_t tsc_hz() const { return tsc_hz_; }

 private:
  uint64_t tsc_hz_;
  std::array<GatewayBucket, kMaxGateways> buckets_{};
};

}  // namespace vpngw::dataplane::qos
