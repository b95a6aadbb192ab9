#include "control/api_error.hpp"

namespace vpngw {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidParameterValue: return "InvalidParameterValue";
    case ErrorCode::MissingParameter: return "MissingParameter";
    case ErrorCode::LimitExceeded: return "LimitExceeded";
    case ErrorCode::ResourceInUse: return "ResourceInUse";
    case ErrorCode::ResourceNotFound: return "ResourceNotFound";
    case ErrorCode::UnsupportedOperation: return "UnsupportedOperation";
    case ErrorCode::MalformedRequest: return "MalformedRequest";
    case ErrorCode::InternalError: return "InternalError";
  }
  return "InternalError";
}

}  // namespace vpngw
