// Applies a request's params onto a resource object: present keys override,
// absent keys keep the object's current (or default) value. Checks types,
// spellings, required and immutable fields; the semantic rules come after,
// in resource_rules.hpp.
#pragma once

#include <functional>
#include <string>

#include "control/api_error.hpp"
#include "control/model.hpp"
#include "control/model_json.hpp"
#include "control/store.hpp"

namespace vpngw {

// Turns an ID-or-name reference into an ID, or a ResourceNotFound naming field.
using RefResolver =
    std::function<Result<std::string>(ResourceKind kind, const std::string& ref, const std::string& field)>;

enum class Mode { create, modify };

Status apply_vpc_params(const Json& params, Vpc& vpc, Mode mode);
Status apply_gateway_params(const Json& params, VpnGateway& gw, Mode mode, const RefResolver& resolve);
Status apply_customer_gateway_params(const Json& params, CustomerGateway& cgw, Mode mode);
Status apply_route_params(const Json& params, Route& route, Mode mode, const RefResolver& resolve);
// customer_gateway_is_any: the referenced customer gateway is 0.0.0.0, which
// changes the default start action to respond.
Status apply_tunnel_params(const Json& params, Tunnel& tunnel, Mode mode, const RefResolver& resolve,
                           const std::function<bool(const std::string& cgw_id)>& customer_gateway_is_any);

}  // namespace vpngw
