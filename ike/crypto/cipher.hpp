// The block ciphers of the SK payload, through OpenSSL's EVP_CIPHER:
// CBC without OpenSSL's padding (IKE pads on its own terms) and AES-GCM
// with a 16-byte tag (RFC 5282).
#pragma once

#include <optional>

#include "control/policy.hpp"
#include "ike/bytes.hpp"

namespace vpngw::ike {

// plaintext.size() must be a multiple of the block size; key is the
// cipher key only (8 bytes for DES, 24 for 3DES, 16/24/32 for AES).
Bytes cbc_encrypt(Cipher cipher, ByteView key, ByteView iv, ByteView plaintext);
Bytes cbc_decrypt(Cipher cipher, ByteView key, ByteView iv, ByteView ciphertext);

inline constexpr size_t kGcmNonceSize = 12;  // 4-byte salt | 8-byte IV
inline constexpr size_t kGcmTagSize = 16;

// Returns ciphertext | tag.
Bytes gcm_seal(Cipher cipher, ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);
// Returns the plaintext, or nothing if the tag does not verify.
std::optional<Bytes> gcm_open(Cipher cipher, ByteView key, ByteView nonce, ByteView aad,
                              ByteView ciphertext_and_tag);

}  // namespace vpngw::ike
