// The error vocabulary of the API: every rejected request names the field
// and the rule it broke. Codes follow the cloud API convention operators know.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vpngw {

enum class ErrorCode {
  InvalidParameterValue,  // a value breaks a validation rule
  MissingParameter,       // a required field is absent
  LimitExceeded,          // a quota would be exceeded
  ResourceInUse,          // delete/modify blocked by dependants, or a duplicate
  ResourceNotFound,       // no resource with that ID or name
  UnsupportedOperation,   // unknown op, or an op this build cannot do
  MalformedRequest,       // not JSON, not an object, line too long
  InternalError,          // store failure etc.; the request was not applied
};

const char* error_code_name(ErrorCode code);

struct ApiError {
  ErrorCode code = ErrorCode::InternalError;
  std::string field;    // e.g. "spd[1].local"; empty when no single field is at fault
  std::string message;  // the rule, in words an operator understands
};

inline ApiError invalid(std::string field, std::string message) {
  return {ErrorCode::InvalidParameterValue, std::move(field), std::move(message)};
}

// A value or the error that prevented it. Kept tiny on purpose (std::expected
// needs C++23 in GCC 12).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(ApiError error) : v_(std::move(error)) {}     // NOLINT: implicit by design
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

// For operations without a value: nullopt means success.
using Status = std::optional<ApiError>;

}  // namespace vpngw
