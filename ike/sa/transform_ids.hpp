// Our policy enums (control/policy.hpp) as IANA IKEv2 transforms, both
// ways, and transform names for logs in the spelling IKE implementations
// print (strongSwan's "AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024").
#pragma once

#include <optional>
#include <string>

#include "control/policy.hpp"
#include "ike/wire/payloads.hpp"

namespace vpngw::ike {

// ENCR transform: DES=2, 3DES=3, AES-CBC=12 and AES-GCM-16=20 with a Key
// Length attribute in bits.
Transform encr_transform(Cipher cipher);
Transform prf_transform(Integrity prf);      // PRF_HMAC_MD5=1, SHA1=2, SHA2_256=5, 384=6, 512=7
Transform integ_transform(Integrity integ);  // HMAC_MD5_96=1, SHA1_96=2, SHA2_256_128=12, 13, 14
Transform dh_transform(DhGroup group);       // the group number as is
Transform esn_transform(bool esn);

// The policy value a transform stands for, if it is one we implement.
std::optional<Cipher> cipher_of(const Transform& t);
std::optional<Integrity> prf_of(const Transform& t);
std::optional<Integrity> integ_of(const Transform& t);
std::optional<DhGroup> dh_group_of(const Transform& t);

std::string transform_name(const Transform& t);

// "AES_CBC_128,AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048": the
// transforms of each type joined by commas, the types by slashes.
std::string describe(const Proposal& proposal);

}  // namespace vpngw::ike
