#include "ike/crypto/nat_detection.hpp"

#include <openssl/evp.h>

#include "ike/crypto/crypto_error.hpp"
#include "ike/wire/byte_writer.hpp"

namespace vpngw::ike {

Bytes nat_detection_hash(uint64_t spi_i, uint64_t spi_r, Ipv4Addr address, uint16_t port) {
  Bytes input;
  ByteWriter w(input);
  w.u64(spi_i);
  w.u64(spi_r);
  w.u32(address.value);
  w.u16(port);
  Bytes hash(kNatDetectionHashSize);
  size_t size = 0;
  if (EVP_Q_digest(nullptr, "SHA1", nullptr, input.data(), input.size(), hash.data(), &size) != 1 ||
      size != hash.size())
    throw_openssl_error("SHA1");
  return hash;
}

}  // namespace vpngw::ike
