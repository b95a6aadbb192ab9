// MODP groups: the domain parameters are built from the RFC's numbers
// (modp_params.cpp) rather than from OpenSSL's group names, which do not
// include the 768- and 1024-bit Oakley groups.
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/dh_kinds.hpp"
#include "ike/crypto/modp_params.hpp"

namespace vpngw::ike {

namespace {

BignumPtr from_hex(const char* hex) {
  BIGNUM* bn = nullptr;
  if (BN_hex2bn(&bn, hex) == 0) throw_openssl_error("BN_hex2bn");
  return BignumPtr(bn);
}

// The group: p, g and the subgroup order q. For the safe-prime groups q is
// (p - 1) / 2; g = 2 generates that subgroup because these primes are
// 7 mod 8, so every honest public value satisfies y^q = 1 mod p.
// OpenSSL is told q only when the RFC publishes it (group 24): given a q
// it takes the FIPS 186-4 key generation path, which refuses the 768- and
// 1024-bit Oakley groups; without one it draws a full-size exponent.
struct Domain {
  BignumPtr p;
  BignumPtr g;
  BignumPtr q;
  bool published_q = false;
};

Domain domain_of(DhGroup group) {
  const ModpParams* params = modp_params(group);
  Domain d{from_hex(params->p), from_hex(params->g), nullptr};
  if (*params->q != '\0') {
    d.q = from_hex(params->q);
    d.published_q = true;
  } else {
    d.q = BignumPtr(BN_dup(d.p.get()));
    if (!d.q || BN_sub_word(d.q.get(), 1) != 1 || BN_rshift1(d.q.get(), d.q.get()) != 1)
      throw_openssl_error("q = (p - 1) / 2");
  }
  return d;
}

// An EVP_PKEY of type DH over `d`: domain parameters only, or with `pub`.
EvpPkeyPtr make_pkey(const Domain& d, const BIGNUM* pub) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_P, d.p.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_G, d.g.get()) != 1 ||
      (d.published_q && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_Q, d.q.get()) != 1) ||
      (pub != nullptr && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub) != 1))
    throw_openssl_error("OSSL_PARAM_BLD");
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) throw_openssl_error("OSSL_PARAM_BLD_to_param");
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey,
                        pub != nullptr ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEY_PARAMETERS,
                        params.get()) != 1)
    throw_openssl_error("EVP_PKEY_fromdata(DH)");
  return EvpPkeyPtr(pkey);
}

class ModpDh final : public DiffieHellman {
 public:
  explicit ModpDh(DhGroup group)
      : group_(group), size_(public_value_size(group)), domain_(domain_of(group)) {
    EvpPkeyPtr params = make_pkey(domain_, nullptr);
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, params.get(), nullptr));
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &key) != 1)
      throw_openssl_error("DH key generation");
    key_.reset(key);
    BIGNUM* pub = nullptr;
    if (EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_PUB_KEY, &pub) != 1)
      throw_openssl_error("DH public key");
    BignumPtr owned(pub);
    public_.resize(size_);
    if (BN_bn2binpad(pub, public_.data(), static_cast<int>(size_)) < 0)
      throw_openssl_error("BN_bn2binpad");
  }

  DhGroup group() const override { return group_; }
  ByteView public_value() const override { return public_; }

  Expected<SecretBytes, DhError> shared_secret(ByteView peer) const override {
    if (peer.size() != size_) return unexpected(DhError::bad_length);
    BignumPtr y(BN_bin2bn(peer.data(), static_cast<int>(peer.size()), nullptr));
    if (!y) throw_openssl_error("BN_bin2bn");
    // 1 < y < p - 1: 0, 1 and p - 1 would force the secret to 0, 1 or +-1.
    BignumPtr p_minus_1(BN_dup(domain_.p.get()));
    if (!p_minus_1 || BN_sub_word(p_minus_1.get(), 1) != 1) throw_openssl_error("p - 1");
    if (BN_cmp(y.get(), BN_value_one()) <= 0 || BN_cmp(y.get(), p_minus_1.get()) >= 0)
      return unexpected(DhError::out_of_range);
    // y^q = 1 mod p: y lies in the subgroup g generates (RFC 6989 §2.2),
    // which keeps a peer from probing our private value in a small subgroup.
    BnCtxPtr bn_ctx(BN_CTX_new());
    BignumPtr check(BN_new());
    if (!bn_ctx || !check ||
        BN_mod_exp(check.get(), y.get(), domain_.q.get(), domain_.p.get(), bn_ctx.get()) != 1)
      throw_openssl_error("BN_mod_exp");
    if (!BN_is_one(check.get())) return unexpected(DhError::not_in_subgroup);

    EvpPkeyPtr peer_key = make_pkey(domain_, y.get());
    auto secret = evp_derive(key_.get(), peer_key.get(), true);
    if (!secret) return unexpected(DhError::out_of_range);
    return std::move(*secret);
  }

 private:
  DhGroup group_;
  size_t size_;
  Domain domain_;
  EvpPkeyPtr key_;
  Bytes public_;
};

}  // namespace

std::unique_ptr<DiffieHellman> make_modp_dh(DhGroup group) {
  return std::make_unique<ModpDh>(group);
}

}  // namespace vpngw::ike
