#include "dataplane/des_keys.hpp"

#include <array>

namespace vpngw::dataplane {

namespace {

using DesKey = std::array<uint8_t, 8>;

// Listed with odd parity, as published; compared with parity bits masked.
constexpr std::array<DesKey, 16> kWeakAndSemiWeak{{
    // weak
    {0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01},
    {0xFE, 0xFE, 0xFE, 0xFE, 0xFE, 0xFE, 0xFE, 0xFE},
    {0xE0, 0xE0, 0xE0, 0xE0, 0xF1, 0xF1, 0xF1, 0xF1},
    {0x1F, 0x1F, 0x1F, 0x1F, 0x0E, 0x0E, 0x0E, 0x0E},
    // semi-weak, in pairs that undo each other
    {0x01, 0x1F, 0x01, 0x1F, 0x01, 0x0E, 0x01, 0x0E},
    {0x1F, 0x01, 0x1F, 0x01, 0x0E, 0x01, 0x0E, 0x01},
    {0x01, 0xE0, 0x01, 0xE0, 0x01, 0xF1, 0x01, 0xF1},
    {0xE0, 0x01, 0xE0, 0x01, 0xF1, 0x01, 0xF1, 0x01},
    {0x01, 0xFE, 0x01, 0xFE, 0x01, 0xFE, 0x01, 0xFE},
    {0xFE, 0x01, 0xFE, 0x01, 0xFE, 0x01, 0xFE, 0x01},
    {0x1F, 0xE0, 0x1F, 0xE0, 0x0E, 0xF1, 0x0E, 0xF1},
    {0xE0, 0x1F, 0xE0, 0x1F, 0xF1, 0x0E, 0xF1, 0x0E},
    {0x1F, 0xFE, 0x1F, 0xFE, 0x0E, 0xFE, 0x0E, 0xFE},
    {0xFE, 0x1F, 0xFE, 0x1F, 0xFE, 0x0E, 0xFE, 0x0E},
    {0xE0, 0xFE, 0xE0, 0xFE, 0xF1, 0xFE, 0xF1, 0xFE},
    {0xFE, 0xE0, 0xFE, 0xE0, 0xFE, 0xF1, 0xFE, 0xF1},
}};

bool same_ignoring_parity(std::span<const uint8_t, 8> a, std::span<const uint8_t, 8> b) {
  for (size_t i = 0; i < 8; ++i)
    if ((a[i] & 0xFE) != (b[i] & 0xFE)) return false;
  return true;
}

}  // namespace

bool is_weak_des_key(std::span<const uint8_t, 8> key) {
  for (const DesKey& weak : kWeakAndSemiWeak)
    if (same_ignoring_parity(key, weak)) return true;
  return false;
}

std::optional<std::string> check_des_key(std::span<const uint8_t> key) {
  if (key.size() == 8) {
    if (is_weak_des_key(key.first<8>())) return "is a weak or semi-weak DES key";
    return std::nullopt;
  }
  if (key.size() != 24) return "must be 8 (DES) or 24 (3DES) bytes";
  const auto k1 = key.subspan<0, 8>();
  const auto k2 = key.subspan<8, 8>();
  const auto k3 = key.subspan<16, 8>();
  static constexpr std::array<const char*, 3> kNames{"K1", "K2", "K3"};
  const std::array<std::span<const uint8_t, 8>, 3> parts{k1, k2, k3};
  for (size_t i = 0; i < parts.size(); ++i)
    if (is_weak_des_key(parts[i]))
      return std::string("3DES ") + kNames[i] + " is a weak or semi-weak DES key";
  // With K1 == K2 or K2 == K3 the first two (or last two) passes cancel and
  // 3DES is single DES under the remaining key.
  if (same_ignoring_parity(k1, k2)) return "3DES K1 equals K2, which reduces it to single DES";
  if (same_ignoring_parity(k2, k3)) return "3DES K2 equals K3, which reduces it to single DES";
  return std::nullopt;
}

}  // namespace vpngw::dataplane
