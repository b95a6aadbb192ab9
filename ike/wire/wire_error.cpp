#include "ike/wire/wire_error.hpp"

namespace vpngw::ike {

std::string_view name_of(WireErrorCode code) {
  switch (code) {
    case WireErrorCode::truncated: return "truncated";
    case WireErrorCode::bad_length: return "bad length";
    case WireErrorCode::trailing_data: return "trailing data";
    case WireErrorCode::bad_major_version: return "unsupported major version";
    case WireErrorCode::unsupported_critical_payload: return "unsupported critical payload";
    case WireErrorCode::unexpected_payload: return "unexpected payload";
    case WireErrorCode::bad_substructure: return "bad substructure";
    case WireErrorCode::bad_value: return "bad value";
    case WireErrorCode::integrity_check_failed: return "integrity check failed";
    case WireErrorCode::bad_padding: return "bad padding";
  }
  return "unknown error";
}

std::string WireError::describe() const {
  std::string out(name_of(code));
  if (payload != PayloadType::none) out += " in " + name_of(payload);
  out += " at byte " + std::to_string(offset);
  return out;
}

}  // namespace vpngw::ike
