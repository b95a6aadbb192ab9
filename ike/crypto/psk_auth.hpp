// Pre-shared key authentication (RFC 7296 §2.15):
//
//   InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, IDi')
//   ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, IDr')
//   AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
//
// RealMessage is the IKE_SA_INIT message the signer sent, byte for byte;
// the nonce is the other side's; ID' is the signer's ID payload body
// (ID type, three reserved bytes, identification data).
#pragma once

#include "control/policy.hpp"
#include "ike/bytes.hpp"
#include "ike/wire/payloads.hpp"

namespace vpngw::ike {

Bytes signed_octets(Integrity prf, ByteView real_message, ByteView other_nonce, ByteView sk_p,
                    const IdPayload& signer_id);

Bytes psk_auth_value(Integrity prf, ByteView psk, ByteView signed_octets);

// Computes the expected AUTH value and compares in constant time.
bool verify_psk_auth(Integrity prf, ByteView psk, ByteView signed_octets, ByteView received);

}  // namespace vpngw::ike
