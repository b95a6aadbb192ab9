// What was wrong with a message that failed to parse: a code, where it was
// found (byte offset from the start of the buffer handed to the parser) and,
// when one was involved, the payload type. The engine turns these into the
// notify the RFC asks for (INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD with
// the type, INVALID_MAJOR_VERSION) and into a log line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ike/expected.hpp"
#include "ike/wire/constants.hpp"

namespace vpngw::ike {

enum class WireErrorCode : uint8_t {
  truncated,                     // the buffer ends before a field or a declared length
  bad_length,                    // a length field is too small or disagrees with its contents
  trailing_data,                 // bytes after the last payload or substructure
  bad_major_version,             // header version is not 2.x
  unsupported_critical_payload,  // unknown payload type with the critical bit set
  unexpected_payload,            // a payload where the RFC does not allow it (e.g. SK not last)
  bad_substructure,              // proposal/transform "last substructure" or count is wrong
  bad_value,                     // a field holds a value the RFC forbids (e.g. reserved TS type)
  integrity_check_failed,        // SK payload ICV or AEAD tag did not verify
  bad_padding,                   // SK payload pad length larger than the plaintext
};

std::string_view name_of(WireErrorCode code);

struct WireError {
  WireErrorCode code = WireErrorCode::truncated;
  size_t offset = 0;
  PayloadType payload = PayloadType::none;  // the payload being parsed, if any

  // "truncated in SA at byte 40", for logs.
  std::string describe() const;
  bool operator==(const WireError&) const = default;
};

template <typename T>
using WireResult = Expected<T, WireError>;

inline Unexpected<WireError> wire_error(WireErrorCode code, size_t offset,
                                        PayloadType payload = PayloadType::none) {
  return {WireError{code, offset, payload}};
}

}  // namespace vpngw::ike
