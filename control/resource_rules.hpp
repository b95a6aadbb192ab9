// The validation rules of PRODUCT.md that relate a resource to the others:
// containment, overlap, uniqueness, quotas, references. Each check sees the
// candidate object (already holding its new values) and the current state;
// an object with the same id in the state is the one being modified and is
// left out of uniqueness and overlap comparisons.
#pragma once

#include "control/api_error.hpp"
#include "control/model.hpp"
#include "control/quotas.hpp"

namespace vpngw {

Status check_vpc(const Vpc& vpc, const ResourceSnapshot& state, const Quotas& quotas);
Status check_gateway(const VpnGateway& gw, const ResourceSnapshot& state, const Quotas& quotas);
Status check_customer_gateway(const CustomerGateway& cgw, const ResourceSnapshot& state,
                              const Quotas& quotas);
Status check_tunnel(const Tunnel& tunnel, const ResourceSnapshot& state, const Quotas& quotas);
Status check_route(const Route& route, const ResourceSnapshot& state, const Quotas& quotas);

// The SPD rules of a tunnel against the VPC's CIDRs and the other tunnels of
// the same gateway. Also used when a VPC's CIDRs change.
Status check_spd(const Tunnel& tunnel, const std::vector<Cidr>& vpc_cidrs,
                 const ResourceSnapshot& state, const Quotas& quotas);

}  // namespace vpngw
