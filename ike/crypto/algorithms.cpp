#include "ike/crypto/algorithms.hpp"

#include "ike/crypto/crypto_error.hpp"

namespace vpngw::ike {

namespace {

// DES is run as DES-EDE3 with the same key three times (E_k(D_k(E_k(x)))
// is E_k(x)): single DES lives only in OpenSSL 3's legacy provider, and
// loading a provider is process-wide state we would rather not touch.
constexpr CipherInfo kDes{"DES-EDE3-CBC", 8, 0, 8, 8, 0, false};
constexpr CipherInfo kDes3{"DES-EDE3-CBC", 24, 0, 8, 8, 0, false};
constexpr CipherInfo kAes128{"AES-128-CBC", 16, 0, 16, 16, 0, false};
constexpr CipherInfo kAes192{"AES-192-CBC", 24, 0, 16, 16, 0, false};
constexpr CipherInfo kAes256{"AES-256-CBC", 32, 0, 16, 16, 0, false};
// GCM needs no block alignment; 1 lets the SK payload add no padding.
constexpr CipherInfo kAes128Gcm{"AES-128-GCM", 16, 4, 8, 1, 16, true};
constexpr CipherInfo kAes256Gcm{"AES-256-GCM", 32, 4, 8, 1, 16, true};

constexpr IntegrityInfo kMd5{16, 12};
constexpr IntegrityInfo kSha1{20, 12};
constexpr IntegrityInfo kSha256{32, 16};
constexpr IntegrityInfo kSha384{48, 24};
constexpr IntegrityInfo kSha512{64, 32};

}  // namespace

const CipherInfo& cipher_info(Cipher cipher) {
  switch (cipher) {
    case Cipher::des: return kDes;
    case Cipher::des3: return kDes3;
    case Cipher::aes128: return kAes128;
    case Cipher::aes192: return kAes192;
    case Cipher::aes256: return kAes256;
    case Cipher::aes128gcm: return kAes128Gcm;
    case Cipher::aes256gcm: return kAes256Gcm;
  }
  throw CryptoError("unknown cipher");
}

const IntegrityInfo& integrity_info(Integrity integrity) {
  switch (integrity) {
    case Integrity::md5: return kMd5;
    case Integrity::sha1: return kSha1;
    case Integrity::sha256: return kSha256;
    case Integrity::sha384: return kSha384;
    case Integrity::sha512: return kSha512;
  }
  throw CryptoError("unknown integrity algorithm");
}

}  // namespace vpngw::ike
