// DES key hygiene for SA installation: the weak and semi-weak keys of
// FIPS 74 / NIST SP 800-67, and 3DES key bundles that degrade to single DES.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace vpngw::dataplane {

// True when the 8-byte key is one of the 4 weak or 12 semi-weak DES keys.
// Parity bits (the low bit of each byte) are ignored, as DES ignores them.
bool is_weak_des_key(std::span<const uint8_t, 8> key);

// Checks a DES (8-byte) or 3DES (24-byte) key; nullopt when it is usable,
// else what is wrong with it.
std::optional<std::string> check_des_key(std::span<const uint8_t> key);

}  // namespace vpngw::dataplane
