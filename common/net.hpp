// IPv4 addresses and prefixes as value types, in host byte order.
// Shared by the control plane (validation), IKE (traffic selectors) and the
// dataplane's configuration path; never used on the packet path itself.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vpngw {

struct Ipv4Addr {
  uint32_t value = 0;  // host byte order

  static std::optional<Ipv4Addr> parse(std::string_view text);
  std::string str() const;

  uint8_t octet(int i) const { return static_cast<uint8_t>(value >> (24 - 8 * i)); }
  bool is_unspecified() const { return value == 0; }
  auto operator<=>(const Ipv4Addr&) const = default;
};

struct Cidr {
  Ipv4Addr addr;
  uint8_t len = 0;

  // Strict: "a.b.c.d/n" with 0 <= n <= 32 and no host bits set.
  static std::optional<Cidr> parse(std::string_view text);
  // Lenient about host bits: parses and reports whether any are set.
  static std::optional<Cidr> parse_any(std::string_view text, bool* host_bits_set);
  std::string str() const;

  uint32_t mask() const { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }
  Ipv4Addr first() const { return {addr.value & mask()}; }
  Ipv4Addr last() const { return {(addr.value & mask()) | ~mask()}; }
  bool contains(Ipv4Addr a) const { return (a.value & mask()) == (addr.value & mask()); }
  bool contains(const Cidr& inner) const { return inner.len >= len && contains(inner.addr); }
  bool overlaps(const Cidr& other) const { return contains(other) || other.contains(*this); }
  auto operator<=>(const Cidr&) const = default;
};

}  // namespace vpngw
