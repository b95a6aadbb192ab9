// Diffie-Hellman for the groups IKE negotiates: MODP 1, 2, 5, 14 and 24
// (RFC 2409, RFC 3526, RFC 5114), ECP 19, 20, 21 (RFC 5903) and
// curve25519, group 31 (RFC 8031), through OpenSSL 3's EVP_PKEY.
//
// One object is one ephemeral key pair, made when the object is made and
// wiped with it. Public values are in the KE payload's encoding:
//   MODP: g^x mod p, big-endian, zero-padded to the prime's length
//   ECP:  x | y, each zero-padded to the field's length (no 0x04 prefix)
//   X25519: the 32-byte u-coordinate
// and so is the shared secret g^ir (for ECP, the x coordinate only).
// The peer's value is validated before use (RFC 6989): length, 1 < y < p-1
// and y^q = 1 mod p for MODP, on the curve for ECP, a non-zero result for
// X25519.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "control/policy.hpp"
#include "ike/bytes.hpp"
#include "ike/crypto/secret_bytes.hpp"
#include "ike/expected.hpp"

namespace vpngw::ike {

enum class DhError : uint8_t {
  bad_length,        // not the group's public value size
  out_of_range,      // MODP: y <= 1 or y >= p - 1
  not_in_subgroup,   // MODP: y^q != 1 mod p
  not_on_curve,      // ECP: not a point of the curve (or the point at infinity)
  degenerate_secret, // X25519: a low-order point gave an all-zero secret
};

std::string_view name_of(DhError error);

class DiffieHellman {
 public:
  virtual ~DiffieHellman() = default;
  virtual DhGroup group() const = 0;
  virtual ByteView public_value() const = 0;
  virtual Expected<SecretBytes, DhError> shared_secret(ByteView peer_public) const = 0;
};

bool is_supported(DhGroup group);

// The size of a public value of `group` (and of its KE payload data).
size_t public_value_size(DhGroup group);

// A fresh key pair. Throws CryptoError for DhGroup::none or a group that is
// not supported (callers negotiate only supported groups).
std::unique_ptr<DiffieHellman> make_diffie_hellman(DhGroup group);

}  // namespace vpngw::ike
