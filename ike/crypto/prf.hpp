// The IKEv2 pseudorandom functions (HMAC-MD5/SHA1/SHA2, RFC 7296 §2.13 and
// RFC 4868) and prf+, the construction that stretches a PRF to as many key
// bytes as a suite needs.
#pragma once

#include <initializer_list>

#include "control/policy.hpp"
#include "ike/bytes.hpp"
#include "ike/crypto/secret_bytes.hpp"

namespace vpngw::ike {

class Prf {
 public:
  explicit Prf(Integrity algorithm) : algorithm_(algorithm) {}

  Integrity algorithm() const { return algorithm_; }
  // Output size; also the "preferred key size" of SK_d, SK_pi and SK_pr.
  size_t size() const;

  // prf(key, part1 | part2 | ...)
  SecretBytes operator()(ByteView key, std::initializer_list<ByteView> data) const;

  // prf+(key, seed) = T1 | T2 | ... cut to `length` bytes, where
  // T1 = prf(K, S | 0x01) and Tn = prf(K, Tn-1 | S | n). The seed is given
  // in parts. More than 255 blocks cannot be made (the counter is one
  // byte): asking for that throws CryptoError.
  SecretBytes plus(ByteView key, std::initializer_list<ByteView> seed, size_t length) const;

 private:
  Integrity algorithm_;
};

}  // namespace vpngw::ike
