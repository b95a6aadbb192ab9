#include "dataplane/qos/cap_rate.hpp"

#include <limits>

namespace vpngw::dataplane::qos {

namespace {
// Keeps tsc_hz * 8 << 16 inside 64 bits (any real TSC is far below 2^44 Hz).
constexpr uint64_t kMaxTscHz = uint64_t{1} << 44;
constexpr uint64_t kU32Max = std::numeric_limits<uint32_t>::max();
}  // namespace

CapRate make_cap_rate(uint64_t rate_bps, uint64_t tsc_hz) {
  if (rate_bps == 0 || tsc_hz == 0 || tsc_hz >= kMaxTscHz) return {};
  // cycles per byte = tsc_hz * 8 / rate_bps, in fixed point.
  const uint64_t cost = ((tsc_hz * 8) << kCostFractionBits) / rate_bps;
  if (cost == 0 || cost > kU32Max) return {};
  // cost < 2^32 and the burst is at most a few MB, so the product fits.
  const uint64_t burst_cycles = (burst_bytes_for(rate_bps) * cost) >> kCostFractionBits;
  if (burst_cycles > kU32Max) return {};
  return {static_cast<uint32_t>(cost), static_cast<uint32_t>(burst_cycles)};
}

}  // namespace vpngw::dataplane::qos
