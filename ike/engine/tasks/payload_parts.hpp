// Small payload pieces every exchange builds: notifies, the 4-byte SPI of
// an ESP SA, the KE payload of a key pair, and the DH group number an
// INVALID_KE_PAYLOAD notify carries (RFC 7296 §1.3, §3.10.1).
#pragma once

#include <cstdint>
#include <utility>

#include "ike/crypto/dh.hpp"
#include "ike/wire/payloads.hpp"

namespace vpngw::ike {

inline NotifyPayload notify(NotifyType type, Bytes data = {}) {
  NotifyPayload n;
  n.type = type;
  n.data = std::move(data);
  return n;
}

inline Bytes esp_spi_bytes(uint32_t spi) {
  return {static_cast<uint8_t>(spi >> 24), static_cast<uint8_t>(spi >> 16),
          static_cast<uint8_t>(spi >> 8), static_cast<uint8_t>(spi)};
}

// `b` holds exactly 4 bytes (callers check the SPI size first).
inline uint32_t esp_spi_value(const Bytes& b) {
  return static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
         static_cast<uint32_t>(b[2]) << 8 | b[3];
}

inline KePayload ke_payload(const DiffieHellman& dh) {
  KePayload ke;
  ke.dh_group = static_cast<uint16_t>(dh.group());
  ke.data.assign(dh.public_value().begin(), dh.public_value().end());
  return ke;
}

inline Bytes group_bytes(DhGroup group) {
  const auto g = static_cast<uint16_t>(group);
  return {static_cast<uint8_t>(g >> 8), static_cast<uint8_t>(g)};
}

}  // namespace vpngw::ike
