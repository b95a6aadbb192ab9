// ECP groups (RFC 5903): NIST curves whose KE data is x | y without the
// SEC1 0x04 prefix, and whose shared secret is the x coordinate alone.
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/dh_kinds.hpp"

namespace vpngw::ike {

namespace {

constexpr uint8_t kUncompressedPoint = 0x04;

const char* curve_name(DhGroup group) {
  switch (group) {
    case DhGroup::ecp256: return "P-256";
    case DhGroup::ecp384: return "P-384";
    case DhGroup::ecp521: return "P-521";
    default: throw CryptoError("not an ECP group");
  }
}

class EcpDh final : public DiffieHellman {
 public:
  explicit EcpDh(DhGroup group) : group_(group), curve_(curve_name(group)) {
    key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve_));
    if (!key_) throw_openssl_error("EC key generation");
    Bytes encoded(public_value_size(group) + 1);
    size_t written = 0;
    if (EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        encoded.data(), encoded.size(), &written) != 1 ||
        written != encoded.size() || encoded[0] != kUncompressedPoint)
      throw_openssl_error("EC public key");
    public_.assign(encoded.begin() + 1, encoded.end());
  }

  DhGroup group() const override { return group_; }
  ByteView public_value() const override { return public_; }

  Expected<SecretBytes, DhError> shared_secret(ByteView peer) const override {
    if (peer.size() != public_.size()) return unexpected(DhError::bad_length);
    Bytes encoded{kUncompressedPoint};
    append(encoded, peer);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(curve_), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, encoded.data(), encoded.size()),
        OSSL_PARAM_construct_end()};
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) throw_openssl_error("EVP_PKEY_fromdata_init");
    // Import decodes the point and refuses one that is not on the curve or
    // whose coordinates are not below the field prime.
    EVP_PKEY* imported = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &imported, EVP_PKEY_PUBLIC_KEY, params) != 1) {
      ERR_clear_error();
      return unexpected(DhError::not_on_curve);
    }
    EvpPkeyPtr peer_key(imported);
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, peer_key.get(), nullptr));
    if (!check) throw_openssl_error("EVP_PKEY_CTX_new_from_pkey");
    if (EVP_PKEY_public_check(check.get()) != 1) {
      ERR_clear_error();
      return unexpected(DhError::not_on_curve);
    }
    auto secret = evp_derive(key_.get(), peer_key.get(), false);
    if (!secret) return unexpected(DhError::not_on_curve);
    return std::move(*secret);
  }

 private:
  DhGroup group_;
  const char* curve_;
  EvpPkeyPtr key_;
  Bytes public_;
};

}  // namespace

std::unique_ptr<DiffieHellman> make_ecp_dh(DhGroup group) { return std::make_unique<EcpDh>(group); }

}  // namespace vpngw::ike
