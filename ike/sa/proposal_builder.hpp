// Our SA payload offers, built from a tunnel's policies. We offer exactly
// one proposal: the operator's policy is one suite, and PRODUCT.md wants
// the tunnel to come up with that suite or fail with a reason.
#pragma once

#include <cstdint>

#include "control/model.hpp"
#include "ike/bytes.hpp"
#include "ike/wire/payloads.hpp"

namespace vpngw::ike {

// IKE SA: ENCR, PRF, INTEG (not with AES-GCM), DH. `spi` is empty in
// IKE_SA_INIT and the new 8-byte SPI when rekeying the IKE SA.
SaPayload ike_sa_offer(const IkePolicy& policy, ByteView spi = {});

// ESP CHILD_SA: ENCR, INTEG (not with AES-GCM), DH when `with_pfs_group`
// and the policy has PFS (CREATE_CHILD_SA; IKE_AUTH carries no KE, so no
// group there), ESN. `spi` is our inbound SPI for the new SA.
SaPayload esp_sa_offer(const IpsecPolicy& policy, uint32_t spi, bool with_pfs_group);

}  // namespace vpngw::ike
