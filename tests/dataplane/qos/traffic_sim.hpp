// A single worker fed at a constant offered load, on a fake TSC. Packets
// arrive evenly spaced; the worker polls every `poll_us` and hands what
// arrived to the cap in bursts of at most 32, as rte_eth_rx_burst would.
// Admitted bytes are summed per 1-second window of fake time.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "dataplane/qos/gateway_cap_table.hpp"

namespace vpngw::dataplane::qos::test {

// A TSC frequency whose cycles-per-byte is not a whole number at any tier
// (16.8 at 1000 Mbps), so fixed-point rounding is exercised.
inline constexpr uint64_t kFakeTscHz = 2'100'000'000;
inline constexpr uint16_t kBurst = 32;

struct Offered {
  uint64_t bps = 0;           // offered load, bits/s
  uint32_t packet_bytes = 0;  // every packet the same size
  uint32_t poll_us = 50;      // worker poll interval
};

struct SimResult {
  std::vector<uint64_t> window_bytes;  // admitted bytes per 1-s window
  uint64_t offered_packets = 0;
  uint64_t admitted_packets = 0;
  uint64_t dropped_packets = 0;
};

// Called once at the start of every fake second with its index, before any
// burst of that second: lets a test change the cap mid-run.
using SecondHook = std::function<void(uint32_t second)>;

SimResult simulate(GatewayCapTable& table, uint32_t gateway, const Offered& load,
                   uint32_t seconds, const SecondHook& at_second = {});

}  // namespace vpngw::dataplane::qos::test
