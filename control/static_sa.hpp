// Manually keyed SAs: request parsing, the rules, and the translation into
// the dataplane's SaParams (which is also where key lengths and weak DES keys
// are checked, so the dataplane's rules are the only ones).
#pragma once

#include "control/api_error.hpp"
#include "control/model.hpp"
#include "control/model_json.hpp"
#include "control/resource_params.hpp"
#include "dataplane/sa_params.hpp"

namespace vpngw {

Status apply_static_sa_params(const Json& params, StaticSa& sa, const RefResolver& resolve);

// The SA as the dataplane installs it: outer addresses from the gateway and
// the customer gateway, selectors from the tunnel's SPD rules.
Result<dataplane::SaParams> to_sa_params(const StaticSa& sa, const Tunnel& tunnel, const VpnGateway& gateway,
                                         const CustomerGateway& customer_gateway);

Status check_static_sa(const StaticSa& sa, const ResourceSnapshot& state);

}  // namespace vpngw
