// NAT detection (RFC 7296 §2.23): the data of NAT_DETECTION_SOURCE_IP and
// NAT_DETECTION_DESTINATION_IP is SHA-1(SPIi | SPIr | IP address | port).
// A received hash that differs from the one computed over the addresses we
// see means a NAT rewrote them on the way.
#pragma once

#include <cstdint>

#include "common/net.hpp"
#include "ike/bytes.hpp"

namespace vpngw::ike {

inline constexpr size_t kNatDetectionHashSize = 20;

Bytes nat_detection_hash(uint64_t spi_i, uint64_t spi_r, Ipv4Addr address, uint16_t port);

}  // namespace vpngw::ike
