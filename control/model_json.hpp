// JSON forms of the resource model, shared by the API (responses) and the
// store (rows). Tunnel JSON never contains the PSK: the API adds a masked
// "psk", the store adds the sealed one. from_json throws nlohmann::json
// exceptions on malformed input; callers that read untrusted input validate
// through request_parse.hpp instead.
#pragma once

#include <nlohmann/json.hpp>

#include "control/model.hpp"

namespace vpngw {

using Json = nlohmann::json;

void to_json(Json& j, const Cidr& c);
void from_json(const Json& j, Cidr& c);
void to_json(Json& j, const Ipv4Addr& a);
void from_json(const Json& j, Ipv4Addr& a);

void to_json(Json& j, const SpdRule& r);
void from_json(const Json& j, SpdRule& r);
void to_json(Json& j, const IkePolicy& p);
void from_json(const Json& j, IkePolicy& p);
void to_json(Json& j, const IpsecPolicy& p);
void from_json(const Json& j, IpsecPolicy& p);
void to_json(Json& j, const DpdSettings& d);
void from_json(const Json& j, DpdSettings& d);

void to_json(Json& j, const Vpc& v);
void from_json(const Json& j, Vpc& v);
void to_json(Json& j, const VpnGateway& g);
void from_json(const Json& j, VpnGateway& g);
void to_json(Json& j, const CustomerGateway& c);
void from_json(const Json& j, CustomerGateway& c);
void to_json(Json& j, const Tunnel& t);    // without "psk"
void from_json(const Json& j, Tunnel& t);  // leaves t.psk untouched
void to_json(Json& j, const Route& r);
void from_json(const Json& j, Route& r);
void to_json(Json& j, const StaticSa& sa);    // without the keys
void from_json(const Json& j, StaticSa& sa);  // leaves the keys untouched

// Shown wherever a PSK would be, except in peer-config export.
inline constexpr const char* kMaskedPsk = "********";

}  // namespace vpngw
