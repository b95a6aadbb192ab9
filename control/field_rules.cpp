#include "control/field_rules.hpp"

#include <array>
#include <cctype>

namespace vpngw {

namespace {

constexpr std::array<std::string_view, 7> kIdPrefixes{"vpc", "vpngw", "cgw", "vpnx", "rtb", "rt", "sa"};

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

// Addresses that are not unicast host addresses on the internet, whichever
// side of the tunnel they are on.
std::optional<std::string> check_special_ranges(Ipv4Addr ip) {
  const uint8_t a = ip.octet(0), b = ip.octet(1), c = ip.octet(2), d = ip.octet(3);
  if (a == 0) return "0.0.0.0/8 is reserved";
  if (a == 127) return "127.0.0.0/8 is loopback";
  if (a == 169 && b == 254) return "169.254.0.0/16 is link-local";
  if (a >= 224 && a <= 239) return "224.0.0.0/4 is multicast";
  if (ip.value == 0xffffffffu) return "255.255.255.255 is the limited broadcast address";
  if (a >= 240) return "240.0.0.0/4 is reserved";
  // Classful network and broadcast addresses (host bits all 0 or all 1).
  if (a >= 1 && a <= 126 && ((b == 0 && c == 0 && d == 0) || (b == 255 && c == 255 && d == 255)))
    return "host bits of a class A address may not be all 0 or all 1";
  if (a >= 128 && a <= 191 && ((c == 0 && d == 0) || (c == 255 && d == 255)))
    return "host bits of a class B address may not be all 0 or all 1";
  if (a >= 192 && a <= 223 && (d == 0 || d == 255))
    return "host bits of a class C address may not be all 0 or all 1";
  return std::nullopt;
}

bool is_fqdn(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.back() == '.') s.remove_suffix(1);
  bool has_letter = false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char ch : label) {
      if (std::isalpha(static_cast<unsigned char>(ch))) has_letter = true;
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // All-numeric dotted strings are malformed addresses, not names.
  return has_letter;
}

}  // namespace

bool looks_like_id(std::string_view text) {
  size_t dash = text.rfind('-');
  if (dash == std::string_view::npos || text.size() - dash - 1 != 8) return false;
  std::string_view prefix = text.substr(0, dash);
  bool known = false;
  for (auto p : kIdPrefixes) known |= (p == prefix);
  if (!known) return false;
  for (char c : text.substr(dash + 1))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::optional<std::string> check_name(std::string_view name) {
  if (name.empty() || name.size() > 60) return "must be 1-60 characters long";
  for (char c : name)
    if (!is_name_char(c)) return "may contain only letters, digits, '_', '.' and '-'";
  if (looks_like_id(name)) return "must not look like a resource ID";
  return std::nullopt;
}

std::optional<std::string> check_customer_gateway_ip(Ipv4Addr ip) {
  if (ip.is_unspecified()) return std::nullopt;  // "any address": peer behind NAT
  if (ip.octet(0) == 0) return "0.0.0.0/8 is reserved (only 0.0.0.0 itself, meaning any address, is allowed)";
  return check_special_ranges(ip);
}

std::optional<std::string> check_gateway_public_ip(Ipv4Addr ip) {
  if (ip.is_unspecified()) return "must be a unicast address, not 0.0.0.0";
  return check_special_ranges(ip);
}

std::optional<std::string> check_psk(std::string_view psk) {
  if (psk.empty() || psk.size() > 128) return "must be 1-128 characters long";
  for (char c : psk) {
    if (c == ' ') return "must not contain spaces";
    if (c == '?') return "must not contain '?'";
    if (c < 0x21 || c > 0x7e) return "must contain only printable ASCII characters";
  }
  return std::nullopt;
}

std::optional<std::string> check_identity(std::string_view id) {
  if (Ipv4Addr::parse(id)) return std::nullopt;
  if (is_fqdn(id)) return std::nullopt;
  return "must be an IPv4 address or a fully qualified domain name";
}

}  // namespace vpngw
