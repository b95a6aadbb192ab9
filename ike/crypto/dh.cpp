#include "ike/crypto/dh.hpp"

#include <openssl/dh.h>
#include <openssl/err.h>

#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/dh_kinds.hpp"
#include "ike/crypto/modp_params.hpp"

namespace vpngw::ike {

std::string_view name_of(DhError error) {
  switch (error) {
    case DhError::bad_length: return "public value has the wrong length";
    case DhError::out_of_range: return "public value out of range";
    case DhError::not_in_subgroup: return "public value not in the group's subgroup";
    case DhError::not_on_curve: return "public value not on the curve";
    case DhError::degenerate_secret: return "public value gives an all-zero secret";
  }
  return "unknown DH error";
}

bool is_supported(DhGroup group) {
  switch (group) {
    case DhGroup::modp768:
    case DhGroup::modp1024:
    case DhGroup::modp1536:
    case DhGroup::modp2048:
    case DhGroup::modp2048s256:
    case DhGroup::ecp256:
    case DhGroup::ecp384:
    case DhGroup::ecp521:
    case DhGroup::curve25519: return true;
    case DhGroup::none: return false;
  }
  return false;
}

size_t public_value_size(DhGroup group) {
  switch (group) {
    case DhGroup::modp768: return 96;
    case DhGroup::modp1024: return 128;
    case DhGroup::modp1536: return 192;
    case DhGroup::modp2048:
    case DhGroup::modp2048s256: return 256;
    case DhGroup::ecp256: return 64;
    case DhGroup::ecp384: return 96;
    case DhGroup::ecp521: return 132;
    case DhGroup::curve25519: return 32;
    case DhGroup::none: break;
  }
  throw CryptoError("no public value size for DH group " + std::to_string(dh_group_number(group)));
}

std::unique_ptr<DiffieHellman> make_diffie_hellman(DhGroup group) {
  if (modp_params(group) != nullptr) return make_modp_dh(group);
  switch (group) {
    case DhGroup::ecp256:
    case DhGroup::ecp384:
    case DhGroup::ecp521: return make_ecp_dh(group);
    case DhGroup::curve25519: return make_x25519_dh();
    default: break;
  }
  throw CryptoError("unsupported DH group " + std::to_string(dh_group_number(group)));
}

std::optional<SecretBytes> evp_derive(EVP_PKEY* key, EVP_PKEY* peer, bool pad) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) throw_openssl_error("EVP_PKEY_derive_init");
  if (pad && EVP_PKEY_CTX_set_dh_pad(ctx.get(), 1) != 1) throw_openssl_error("EVP_PKEY_CTX_set_dh_pad");
  // validate_peer = 1: OpenSSL repeats its own public key checks too.
  size_t size = 0;
  if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 1) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &size) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  SecretBytes secret(size);
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &size) != 1 || size != secret.size()) {
    ERR_clear_error();
    return std::nullopt;
  }
  return secret;
}

}  // namespace vpngw::ike
