// The MODP Diffie-Hellman groups IKE negotiates, as published in the RFCs.
#pragma once

#include "control/policy.hpp"

namespace vpngw::ike {

// Hexadecimal, most significant digit first. q is empty for the safe-prime
// groups; for group 24 it is the order of the subgroup g generates, which
// peer public values must lie in (RFC 6989 §2.2).
struct ModpParams {
  const char* p;
  const char* g;
  const char* q;
};

// nullptr for groups that are not MODP groups.
const ModpParams* modp_params(DhGroup group);

}  // namespace vpngw::ike
