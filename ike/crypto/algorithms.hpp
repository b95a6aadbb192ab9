// Sizes of the encryption and integrity algorithms as IKE and ESP key them
// (RFC 7296 §2.14 and §2.17, RFC 5282 §7.1, RFC 4106 §8.1). One table each,
// shared by key derivation, the SK payload and the CHILD_SA keys handed to
// the dataplane.
#pragma once

#include <cstddef>

#include "control/policy.hpp"

namespace vpngw::ike {

struct CipherInfo {
  const char* evp_name;  // OpenSSL's name (DES runs as 3DES with K1 = K2 = K3)
  size_t key_size;       // bytes of cipher key
  size_t salt_size;      // AES-GCM: 4 bytes of salt follow the key in the keying material
  size_t iv_size;        // bytes of IV on the wire
  size_t block_size;     // plaintext is padded to a multiple of this
  size_t icv_size;       // AEAD tag size; 0 for CBC (integrity is separate)
  bool aead;

  size_t keymat_size() const { return key_size + salt_size; }
};

const CipherInfo& cipher_info(Cipher cipher);

struct IntegrityInfo {
  size_t key_size;  // the HMAC key: the hash's output size (RFC 2104, RFC 4868)
  size_t icv_size;  // truncated output on the wire
};

const IntegrityInfo& integrity_info(Integrity integrity);

}  // namespace vpngw::ike
