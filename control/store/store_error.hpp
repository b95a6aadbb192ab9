// The store's errors: InternalError (the request, if any, was not applied)
// with a message that starts "store: " and says what was being done.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "control/api_error.hpp"

namespace vpngw {

inline constexpr std::string_view kStoreErrorPrefix = "store: ";

inline ApiError store_error(std::string message) {
  return {ErrorCode::InternalError, "", std::string(kStoreErrorPrefix) + std::move(message)};
}

// An error's message without the "store: " prefix, to quote it in another.
inline std::string cause_of(const ApiError& error) {
  std::string_view why = error.message;
  if (why.starts_with(kStoreErrorPrefix)) why.remove_prefix(kStoreErrorPrefix.size());
  return std::string(why);
}

// The same error, saying what was being done: "store: <what>: <cause>".
inline ApiError store_error(const std::string& what, const ApiError& cause) {
  return store_error(what + ": " + cause_of(cause));
}

}  // namespace vpngw
