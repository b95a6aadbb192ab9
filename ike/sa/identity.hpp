// IKE identities (control/model.hpp's Identity) as ID payloads: an IPv4
// address becomes ID_IPV4_ADDR, anything else ID_FQDN (RFC 7296 §3.5).
#pragma once

#include <string>

#include "common/net.hpp"
#include "control/model.hpp"
#include "ike/wire/payloads.hpp"

namespace vpngw::ike {

// `type` is PayloadType::idi or idr; an empty identity stands for
// `default_address` (the gateway's or customer gateway's public IP).
IdPayload id_payload(PayloadType type, const Identity& identity, Ipv4Addr default_address);

// "192.0.2.1", "vpn.example.com", or "ID type 9 (12 bytes)" for logs.
std::string describe(const IdPayload& id);

// Whether a received ID is the identity we expect of the peer.
bool matches(const IdPayload& received, const Identity& expected, Ipv4Addr default_address);

}  // namespace vpngw::ike
