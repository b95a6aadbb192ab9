#include "common/net.hpp"

#include <charconv>

namespace vpngw {

namespace {

// Parses a decimal number without sign or leading '+', at most max.
std::optional<uint32_t> parse_decimal(std::string_view text, uint32_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  // Leading zeros ("010") are ambiguous (octal in inet_aton): refuse them.
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || v > max) return std::nullopt;
  return v;
}

}  // namespace

std::optional<Ipv4Addr> Ipv4Addr::parse(std::string_view text) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = text.find('.');
    if ((i < 3) != (dot != std::string_view::npos)) return std::nullopt;
    auto part = parse_decimal(text.substr(0, dot), 255);
    if (!part) return std::nullopt;
    value = (value << 8) | *part;
    text = i < 3 ? text.substr(dot + 1) : std::string_view{};
  }
  return Ipv4Addr{value};
}

std::string Ipv4Addr::str() const {
  return std::to_string(octet(0)) + "." + std::to_string(octet(1)) + "." +
         std::to_string(octet(2)) + "." + std::to_string(octet(3));
}

std::optional<Cidr> Cidr::parse_any(std::string_view text, bool* host_bits_set) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = Ipv4Addr::parse(text.substr(0, slash));
  auto len = parse_decimal(text.substr(slash + 1), 32);
  if (!addr || !len) return std::nullopt;
  Cidr c{*addr, static_cast<uint8_t>(*len)};
  if (host_bits_set) *host_bits_set = (c.addr.value & ~c.mask()) != 0;
  return c;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  bool host_bits = false;
  auto c = parse_any(text, &host_bits);
  if (!c || host_bits) return std::nullopt;
  return c;
}

std::string Cidr::str() const { return addr.str() + "/" + std::to_string(len); }

}  // namespace vpngw
