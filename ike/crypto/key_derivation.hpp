// IKE SA and CHILD_SA keys (RFC 7296 §2.14, §2.17, §2.18).
//
//   SKEYSEED = prf(Ni | Nr, g^ir)
//   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
//            = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
//   KEYMAT   = prf+(SK_d, [g^ir (new) |] Ni | Nr)
//
// Nonces are given without their payload headers; SPIs as the 64-bit
// values of the IKE header (written big-endian into the seed).
#pragma once

#include <cstdint>

#include "ike/bytes.hpp"
#include "ike/crypto/prf.hpp"
#include "ike/crypto/secret_bytes.hpp"
#include "ike/suite.hpp"

namespace vpngw::ike {

struct IkeKeys {
  SecretBytes sk_d;   // seeds CHILD_SA keys and IKE rekeys
  SecretBytes sk_ai;  // integrity, initiator -> responder (empty with AEAD)
  SecretBytes sk_ar;  // integrity, responder -> initiator (empty with AEAD)
  SecretBytes sk_ei;  // encryption (+ salt with AEAD), initiator -> responder
  SecretBytes sk_er;  // encryption (+ salt with AEAD), responder -> initiator
  SecretBytes sk_pi;  // the initiator's AUTH payload
  SecretBytes sk_pr;  // the responder's AUTH payload
};

// For a new IKE SA (IKE_SA_INIT).
SecretBytes initial_skeyseed(Integrity prf, ByteView ni, ByteView nr, ByteView shared_secret);

// For an IKE SA rekeyed with CREATE_CHILD_SA: old_prf and old_sk_d are the
// rekeyed SA's; shared_secret is the new exchange's g^ir.
SecretBytes rekeyed_skeyseed(Integrity old_prf, ByteView old_sk_d, ByteView shared_secret,
                             ByteView ni, ByteView nr);

// The seven keys, sized for `suite`, from a SKEYSEED of either kind.
IkeKeys derive_ike_keys(const IkeSuite& suite, ByteView skeyseed, ByteView ni, ByteView nr,
                        uint64_t spi_i, uint64_t spi_r);

// A CHILD_SA's keys. "_i" keys protect the SA that carries traffic from the
// IKE SA's initiator to its responder, "_r" keys the other direction. GCM
// encryption keys carry their 4-byte salt at the end, as the dataplane
// takes them (RFC 4106 §8.1).
struct ChildKeys {
  SecretBytes encr_i;
  SecretBytes integ_i;  // empty with AEAD
  SecretBytes encr_r;
  SecretBytes integ_r;  // empty with AEAD
};

// pfs_shared_secret: g^ir of the CREATE_CHILD_SA's KE exchange, or empty
// when the CHILD_SA is made without PFS (and always in IKE_AUTH).
ChildKeys derive_child_keys(const EspSuite& suite, Integrity prf, ByteView sk_d, ByteView ni,
                            ByteView nr, ByteView pfs_shared_secret = {});

}  // namespace vpngw::ike
