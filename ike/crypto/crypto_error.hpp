// Failures that no peer can cause: OpenSSL refusing an operation on inputs
// we built ourselves (out of memory, a missing algorithm, a caller asking
// for more prf+ output than exists). They are thrown; everything a peer can
// cause is returned as a value instead (see ike/expected.hpp).
#pragma once

#include <stdexcept>
#include <string>

namespace vpngw::ike {

class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws CryptoError with `what` and OpenSSL's queued error text.
[[noreturn]] void throw_openssl_error(const std::string& what);

}  // namespace vpngw::ike
