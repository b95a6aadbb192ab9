#include "ike/crypto/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/openssl_ptr.hpp"

namespace vpngw::ike {

const char* digest_name(Integrity digest) {
  switch (digest) {
    case Integrity::md5: return "MD5";
    case Integrity::sha1: return "SHA1";
    case Integrity::sha256: return "SHA256";
    case Integrity::sha384: return "SHA384";
    case Integrity::sha512: return "SHA512";
  }
  throw CryptoError("unknown digest");
}

size_t digest_size(Integrity digest) {
  switch (digest) {
    case Integrity::md5: return 16;
    case Integrity::sha1: return 20;
    case Integrity::sha256: return 32;
    case Integrity::sha384: return 48;
    case Integrity::sha512: return 64;
  }
  throw CryptoError("unknown digest");
}

void hmac(Integrity digest, ByteView key, std::span<const ByteView> parts, std::span<uint8_t> out) {
  if (out.size() != digest_size(digest)) throw CryptoError("HMAC output buffer size");
  EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) throw_openssl_error("EVP_MAC_fetch(HMAC)");
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) throw_openssl_error("EVP_MAC_CTX_new");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                       const_cast<char*>(digest_name(digest)), 0),
      OSSL_PARAM_construct_end()};
  // An empty key is legal for HMAC; OpenSSL wants a non-null pointer for it.
  static constexpr uint8_t kNoKey = 0;
  const uint8_t* key_ptr = key.empty() ? &kNoKey : key.data();
  if (EVP_MAC_init(ctx.get(), key_ptr, key.size(), params) != 1) throw_openssl_error("EVP_MAC_init");
  for (ByteView part : parts)
    if (!part.empty() && EVP_MAC_update(ctx.get(), part.data(), part.size()) != 1)
      throw_openssl_error("EVP_MAC_update");
  size_t written = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1 || written != out.size())
    throw_openssl_error("EVP_MAC_final");
}

}  // namespace vpngw::ike
