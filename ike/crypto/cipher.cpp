#include "ike/crypto/cipher.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>

#include "ike/crypto/algorithms.hpp"
#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/openssl_ptr.hpp"
#include "ike/crypto/secret_bytes.hpp"

namespace vpngw::ike {

namespace {

EvpCipherPtr fetch(Cipher cipher) {
  EvpCipherPtr c(EVP_CIPHER_fetch(nullptr, cipher_info(cipher).evp_name, nullptr));
  if (!c) throw_openssl_error(std::string("EVP_CIPHER_fetch ") + cipher_info(cipher).evp_name);
  return c;
}

// The key OpenSSL is given: DES runs as DES-EDE3 with K | K | K.
SecretBytes evp_key(Cipher cipher, ByteView key) {
  if (key.size() != cipher_info(cipher).key_size) throw CryptoError("cipher key size");
  if (cipher != Cipher::des) return SecretBytes(key);
  SecretBytes k3(3 * key.size());
  for (size_t i = 0; i < 3; ++i) std::copy(key.begin(), key.end(), k3.data() + i * key.size());
  return k3;
}

Bytes cbc(Cipher cipher, ByteView key, ByteView iv, ByteView in, bool encrypt) {
  const CipherInfo& info = cipher_info(cipher);
  if (info.aead) throw CryptoError("CBC with an AEAD cipher");
  if (iv.size() != info.iv_size) throw CryptoError("CBC IV size");
  if (in.size() % info.block_size != 0) throw CryptoError("CBC input not block aligned");
  EvpCipherPtr evp = fetch(cipher);
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw_openssl_error("EVP_CIPHER_CTX_new");
  SecretBytes k = evp_key(cipher, key);
  if (EVP_CipherInit_ex2(ctx.get(), evp.get(), k.data(), iv.data(), encrypt ? 1 : 0, nullptr) != 1)
    throw_openssl_error("EVP_CipherInit_ex2");
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  Bytes out(in.size() + info.block_size);
  int len = 0;
  int total = 0;
  if (!in.empty() &&
      EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1)
    throw_openssl_error("EVP_CipherUpdate");
  total = len;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + total, &len) != 1)
    throw_openssl_error("EVP_CipherFinal_ex");
  total += len;
  out.resize(static_cast<size_t>(total));
  return out;
}

EvpCipherCtxPtr gcm_context(Cipher cipher, ByteView key, ByteView nonce, ByteView aad, bool encrypt) {
  if (!cipher_info(cipher).aead) throw CryptoError("GCM with a non-AEAD cipher");
  if (key.size() != cipher_info(cipher).key_size) throw CryptoError("GCM key size");
  if (nonce.size() != kGcmNonceSize) throw CryptoError("GCM nonce size");
  EvpCipherPtr evp = fetch(cipher);
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw_openssl_error("EVP_CIPHER_CTX_new");
  // 12 bytes is GCM's default IV length, so no IVLEN parameter is needed.
  if (EVP_CipherInit_ex2(ctx.get(), evp.get(), key.data(), nonce.data(), encrypt ? 1 : 0,
                         nullptr) != 1)
    throw_openssl_error("EVP_CipherInit_ex2(GCM)");
  int len = 0;
  if (!aad.empty() &&
      EVP_CipherUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)
    throw_openssl_error("EVP_CipherUpdate(AAD)");
  return ctx;
}

}  // namespace

Bytes cbc_encrypt(Cipher cipher, ByteView key, ByteView iv, ByteView plaintext) {
  return cbc(cipher, key, iv, plaintext, true);
}

Bytes cbc_decrypt(Cipher cipher, ByteView key, ByteView iv, ByteView ciphertext) {
  return cbc(cipher, key, iv, ciphertext, false);
}

Bytes gcm_seal(Cipher cipher, ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
  EvpCipherCtxPtr ctx = gcm_context(cipher, key, nonce, aad, true);
  Bytes out(plaintext.size() + kGcmTagSize);
  int len = 0;
  if (!plaintext.empty() && EVP_CipherUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                                             static_cast<int>(plaintext.size())) != 1)
    throw_openssl_error("EVP_CipherUpdate(GCM)");
  int final_len = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + len, &final_len) != 1)
    throw_openssl_error("EVP_CipherFinal_ex(GCM)");
  OSSL_PARAM get_tag[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, out.data() + plaintext.size(),
                                        kGcmTagSize),
      OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_get_params(ctx.get(), get_tag) != 1) throw_openssl_error("GCM get tag");
  return out;
}

std::optional<Bytes> gcm_open(Cipher cipher, ByteView key, ByteView nonce, ByteView aad,
                              ByteView ciphertext_and_tag) {
  if (ciphertext_and_tag.size() < kGcmTagSize) return std::nullopt;
  const size_t text_size = ciphertext_and_tag.size() - kGcmTagSize;
  EvpCipherCtxPtr ctx = gcm_context(cipher, key, nonce, aad, false);
  Bytes out(text_size + 16);
  int len = 0;
  if (text_size > 0 && EVP_CipherUpdate(ctx.get(), out.data(), &len, ciphertext_and_tag.data(),
                                        static_cast<int>(text_size)) != 1)
    throw_openssl_error("EVP_CipherUpdate(GCM)");
  Bytes tag(ciphertext_and_tag.begin() + static_cast<ptrdiff_t>(text_size), ciphertext_and_tag.end());
  OSSL_PARAM set_tag[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag.data(), tag.size()),
      OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_set_params(ctx.get(), set_tag) != 1) throw_openssl_error("GCM set tag");
  int final_len = 0;
  // A failing final is the tag not verifying: the peer's doing, not ours.
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + len, &final_len) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(text_size);
  return out;
}

}  // namespace vpngw::ike
