// Small text forms several renderers share: masks, lists, quoting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/net.hpp"

namespace vpngw {

std::string netmask(const Cidr& c);        // 255.255.240.0
std::string wildcard_mask(const Cidr& c);  // 0.0.15.255 (Cisco ACLs, Huawei/H3C rules)
std::string join_cidrs(const std::vector<Cidr>& cidrs, std::string_view separator);

std::string base64(std::string_view bytes);

// `text` in double quotes with `"` and `\` escaped by a backslash (Junos,
// FortiOS).
std::string backslash_quoted(std::string_view text);

// A PSK as strongSwan's ipsec.secrets and swanctl.conf read it: in double
// quotes when every character is plain, else base64 with the "0s" prefix, so
// that quotes, backslashes, '#' or '$' in the key need no escaping rules and
// a key that starts like "0x..." is not mistaken for hex.
std::string strongswan_secret(std::string_view psk);

}  // namespace vpngw
