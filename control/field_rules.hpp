// Rules on single values (names, addresses, PSKs, identities). Each returns
// nullopt when the value is acceptable, else the rule it breaks, in words.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/net.hpp"

namespace vpngw {

// 1-60 of A-Z a-z 0-9 _ . - ; must not look like a resource ID.
std::optional<std::string> check_name(std::string_view name);

// True for strings shaped like our IDs: "<prefix>-<8 hex digits>".
bool looks_like_id(std::string_view text);

// PRODUCT.md's customer-gateway address rules. 0.0.0.0 is allowed ("any").
std::optional<std::string> check_customer_gateway_ip(Ipv4Addr ip);
// A VPN gateway's public IP: the same rules, and 0.0.0.0 is not an address.
std::optional<std::string> check_gateway_public_ip(Ipv4Addr ip);

// 1-128 printable ASCII characters, no space and no '?'.
std::optional<std::string> check_psk(std::string_view psk);

// An IKE identity: a dotted IPv4 address or a fully qualified domain name.
std::optional<std::string> check_identity(std::string_view id);

}  // namespace vpngw
