#include "ike/crypto/key_derivation.hpp"

#include <algorithm>

#include "ike/crypto/algorithms.hpp"

namespace vpngw::ike {

namespace {

// AEAD suites have no separate integrity key, whatever the suite says.
size_t integrity_key_size(Cipher encryption, const std::optional<Integrity>& integrity) {
  if (cipher_info(encryption).aead || !integrity) return 0;
  return integrity_info(*integrity).key_size;
}

void put_be64(uint8_t* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}

// Cuts consecutive keys off the front of prf+ output.
class KeyCutter {
 public:
  explicit KeyCutter(const SecretBytes& keymat) : keymat_(keymat) {}
  SecretBytes next(size_t size) {
    SecretBytes key = keymat_.slice(offset_, size);
    offset_ += size;
    return key;
  }

 private:
  const SecretBytes& keymat_;
  size_t offset_ = 0;
};

}  // namespace

SecretBytes initial_skeyseed(Integrity prf, ByteView ni, ByteView nr, ByteView shared_secret) {
  // The key is Ni | Nr; it goes into HMAC whole (HMAC hashes keys longer
  // than a block itself), so it is assembled in a SecretBytes.
  SecretBytes key(ni.size() + nr.size());
  std::copy(ni.begin(), ni.end(), key.data());
  std::copy(nr.begin(), nr.end(), key.data() + ni.size());
  return Prf(prf)(key, {shared_secret});
}

SecretBytes rekeyed_skeyseed(Integrity old_prf, ByteView old_sk_d, ByteView shared_secret,
                             ByteView ni, ByteView nr) {
  return Prf(old_prf)(old_sk_d, {shared_secret, ni, nr});
}

IkeKeys derive_ike_keys(const IkeSuite& suite, ByteView skeyseed, ByteView ni, ByteView nr,
                        uint64_t spi_i, uint64_t spi_r) {
  const Prf prf(suite.prf);
  const size_t prf_key = prf.size();
  const size_t integ_key = integrity_key_size(suite.encryption, suite.integrity);
  const size_t encr_key = cipher_info(suite.encryption).keymat_size();
  uint8_t spis[16];
  put_be64(spis, spi_i);
  put_be64(spis + 8, spi_r);
  SecretBytes keymat = prf.plus(skeyseed, {ni, nr, ByteView(spis, sizeof spis)},
                                3 * prf_key + 2 * integ_key + 2 * encr_key);
  KeyCutter cut(keymat);
  IkeKeys keys;
  keys.sk_d = cut.next(prf_key);
  keys.sk_ai = cut.next(integ_key);
  keys.sk_ar = cut.next(integ_key);
  keys.sk_ei = cut.next(encr_key);
  keys.sk_er = cut.next(encr_key);
  keys.sk_pi = cut.next(prf_key);
  keys.sk_pr = cut.next(prf_key);
  return keys;
}

ChildKeys derive_child_keys(const EspSuite& suite, Integrity prf, ByteView sk_d, ByteView ni,
                            ByteView nr, ByteView pfs_shared_secret) {
  const size_t encr_key = cipher_info(suite.encryption).keymat_size();
  const size_t integ_key = integrity_key_size(suite.encryption, suite.integrity);
  // RFC 7296 §2.17: encryption before integrity, initiator's direction first.
  SecretBytes keymat = Prf(prf).plus(sk_d, {pfs_shared_secret, ni, nr}, 2 * (encr_key + integ_key));
  KeyCutter cut(keymat);
  ChildKeys keys;
  keys.encr_i = cut.next(encr_key);
  keys.integ_i = cut.next(integ_key);
  keys.encr_r = cut.next(encr_key);
  keys.integ_r = cut.next(integ_key);
  return keys;
}

}  // namespace vpngw::ike
