#include "tests/dataplane/qos/traffic_sim.hpp"

#include <algorithm>
#include <array>

namespace vpngw::dataplane::qos::test {

namespace {
// The fake TSC starts well past zero, as a real one does: a freshly installed
// bucket is then full, the worst case for the first window.
constexpr uint64_t kSimStartCycles = 1000 * kFakeTscHz;
}  // namespace

SimResult simulate(GatewayCapTable& table, uint32_t gateway, const Offered& load,
                   uint32_t seconds, const SecondHook& at_second) {
  SimResult out;
  out.window_bytes.assign(seconds, 0);
  std::array<uint32_t, kBurst> lengths;
  lengths.fill(load.packet_bytes);

  const uint64_t poll_cycles = kFakeTscHz / 1'000'000 * load.poll_us;
  const uint64_t end = kFakeTscHz * seconds;
  // Packets offered by time t: t * pps (long double is exact enough over
  // millions of packets).
  const long double pps = static_cast<long double>(load.bps) / (8.0L * load.packet_bytes);
  uint32_t current_second = 0;
  if (at_second) at_second(0);
  for (uint64_t now = poll_cycles; now <= end; now += poll_cycles) {
    const uint32_t second = static_cast<uint32_t>((now - 1) / kFakeTscHz);
    if (second >= seconds) break;
    while (current_second < second) {
      ++current_second;
      if (at_second) at_second(current_second);
    }
    const auto arrived = static_cast<uint64_t>(static_cast<long double>(now) / kFakeTscHz * pps);
    uint64_t pending = arrived - out.offered_packets;
    out.offered_packets = arrived;
    while (pending > 0) {
      const auto n = static_cast<uint16_t>(std::min<uint64_t>(pending, kBurst));
      const CapVerdict v = table.admit(gateway, {lengths.data(), n}, kSimStartCycles + now);
      out.window_bytes[second] += v.admitted_bytes;
      out.admitted_packets += v.admitted;
      out.dropped_packets += n - v.admitted;
      pending -= n;
    }
  }
  return out;
}

}  // namespace vpngw::dataplane::qos::test
