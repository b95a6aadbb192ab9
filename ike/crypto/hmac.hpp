// HMAC through OpenSSL 3's EVP_MAC, the one primitive under every IKE PRF
// and integrity algorithm. Inputs are given in parts so that callers never
// need to concatenate secrets into ordinary (unwiped) buffers.
#pragma once

#include <initializer_list>
#include <span>

#include "control/policy.hpp"
#include "ike/bytes.hpp"

namespace vpngw::ike {

// The hash behind a policy's integrity/PRF choice and its output size.
const char* digest_name(Integrity digest);
size_t digest_size(Integrity digest);

// out.size() must equal digest_size(digest).
void hmac(Integrity digest, ByteView key, std::span<const ByteView> parts, std::span<uint8_t> out);

inline void hmac(Integrity digest, ByteView key, std::initializer_list<ByteView> parts,
                 std::span<uint8_t> out) {
  hmac(digest, key, std::span<const ByteView>(parts.begin(), parts.size()), out);
}

}  // namespace vpngw::ike
