// The three families behind make_diffie_hellman(); one .cpp each.
#pragma once

#include <memory>
#include <optional>

#include "ike/crypto/dh.hpp"
#include "ike/crypto/openssl_ptr.hpp"

namespace vpngw::ike {

std::unique_ptr<DiffieHellman> make_modp_dh(DhGroup group);
std::unique_ptr<DiffieHellman> make_ecp_dh(DhGroup group);
std::unique_ptr<DiffieHellman> make_x25519_dh();

// Runs an EVP_PKEY derivation of `key` with `peer`; nothing if OpenSSL
// refuses (which, after our own checks, means the peer's value was bad).
// pad: zero-pad MODP results to the prime's length.
std::optional<SecretBytes> evp_derive(EVP_PKEY* key, EVP_PKEY* peer, bool pad);

}  // namespace vpngw::ike
