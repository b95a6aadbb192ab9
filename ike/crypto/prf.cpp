#include "ike/crypto/prf.hpp"

#include <vector>

#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/hmac.hpp"

namespace vpngw::ike {

size_t Prf::size() const { return digest_size(algorithm_); }

SecretBytes Prf::operator()(ByteView key, std::initializer_list<ByteView> data) const {
  SecretBytes out(size());
  hmac(algorithm_, key, data, out.span());
  return out;
}

SecretBytes Prf::plus(ByteView key, std::initializer_list<ByteView> seed, size_t length) const {
  const size_t block = size();
  const size_t blocks = (length + block - 1) / block;
  if (blocks > 255) throw CryptoError("prf+ asked for more than 255 blocks");
  SecretBytes out(blocks * block);
  for (size_t n = 1; n <= blocks; ++n) {
    const uint8_t counter = static_cast<uint8_t>(n);
    ByteView previous = n == 1 ? ByteView{} : out.view().subspan((n - 2) * block, block);
    std::span<uint8_t> t = out.span().subspan((n - 1) * block, block);
    // HMAC takes its data in parts; the seed's parts go between T(n-1) and n.
    std::vector<ByteView> parts;
    parts.reserve(seed.size() + 2);
    parts.push_back(previous);
    parts.insert(parts.end(), seed.begin(), seed.end());
    parts.push_back(ByteView{&counter, 1});
    hmac(algorithm_, key, parts, t);
  }
  return out.slice(0, length);
}

}  // namespace vpngw::ike
