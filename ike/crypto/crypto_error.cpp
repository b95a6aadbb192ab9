#include "ike/crypto/crypto_error.hpp"

#include <openssl/err.h>

namespace vpngw::ike {

void throw_openssl_error(const std::string& what) {
  std::string detail;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!detail.empty()) detail += "; ";
    detail += buf;
  }
  throw CryptoError(detail.empty() ? what : what + ": " + detail);
}

}  // namespace vpngw::ike
