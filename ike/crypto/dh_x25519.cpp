// Curve25519 (RFC 8031): 32-byte public values and secrets.
#include <openssl/err.h>

#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/dh_kinds.hpp"

namespace vpngw::ike {

namespace {

constexpr size_t kX25519Size = 32;

class X25519Dh final : public DiffieHellman {
 public:
  X25519Dh() {
    key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
    if (!key_) throw_openssl_error("X25519 key generation");
    public_.resize(kX25519Size);
    size_t size = public_.size();
    if (EVP_PKEY_get_raw_public_key(key_.get(), public_.data(), &size) != 1 || size != kX25519Size)
      throw_openssl_error("X25519 public key");
  }

  DhGroup group() const override { return DhGroup::curve25519; }
  ByteView public_value() const override { return public_; }

  Expected<SecretBytes, DhError> shared_secret(ByteView peer) const override {
    if (peer.size() != kX25519Size) return unexpected(DhError::bad_length);
    EvpPkeyPtr peer_key(
        EVP_PKEY_new_raw_public_key_ex(nullptr, "X25519", nullptr, peer.data(), peer.size()));
    if (!peer_key) throw_openssl_error("X25519 peer key");
    // RFC 8031 §2.2: an all-zero result (a low-order peer point) MUST be
    // refused. OpenSSL already fails the derivation then; the explicit check
    // keeps that promise independent of the library version.
    auto secret = evp_derive(key_.get(), peer_key.get(), false);
    if (!secret) return unexpected(DhError::degenerate_secret);
    uint8_t any = 0;
    for (uint8_t b : secret->view()) any |= b;
    if (any == 0) return unexpected(DhError::degenerate_secret);
    return std::move(*secret);
  }

 private:
  EvpPkeyPtr key_;
  Bytes public_;
};

}  // namespace

std::unique_ptr<DiffieHellman> make_x25519_dh() { return std::make_unique<X25519Dh>(); }

}  // namespace vpngw::ike
