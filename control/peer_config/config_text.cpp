#include "control/peer_config/config_text.hpp"

namespace vpngw {

std::string netmask(const Cidr& c) { return Ipv4Addr{c.mask()}.str(); }

std::string wildcard_mask(const Cidr& c) { return Ipv4Addr{~c.mask()}.str(); }

std::string join_cidrs(const std::vector<Cidr>& cidrs, std::string_view separator) {
  std::string out;
  for (const Cidr& c : cidrs) {
    if (!out.empty()) out += separator;
    out += c.str();
  }
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                 uint32_t{static_cast<uint8_t>(bytes[i + 2])};
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 0x3f];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    out += kAlphabet[(n >> 18) & 0x3f];
    out += kAlphabet[(n >> 12) & 0x3f];
    out += rest == 2 ? kAlphabet[(n >> 6) & 0x3f] : '=';
    out += '=';
  }
  return out;
}

std::string backslash_quoted(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

namespace {

bool plain_for_strongswan(char ch) {
  static constexpr std::string_view kPunctuation = "-_.,:;+=@%!*/~^()[]<>|&";
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         kPunctuation.find(ch) != std::string_view::npos;
}

}  // namespace

std::string strongswan_secret(std::string_view psk) {
  // swanctl decodes a "0x"/"0s" prefix even inside quotes.
  bool encoding_prefix = psk.size() >= 2 && psk[0] == '0' &&
                         (psk[1] == 'x' || psk[1] == 'X' || psk[1] == 's' || psk[1] == 'S');
  if (encoding_prefix) return "0s" + base64(psk);
  for (char ch : psk)
    if (!plain_for_strongswan(ch)) return "0s" + base64(psk);
  return "\"" + std::string(psk) + "\"";
}

}  // namespace vpngw
