// Helpers for tests that go from a command line to the request it sends.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "control/cli/command_line.hpp"
#include "control/cli/request_builder.hpp"

namespace vpngw::cli::testing {

// Parses and builds; the outcome of build_request, or a UsageError carrying
// the parser's complaint when the line does not even parse.
inline BuildOutcome build_from_args(const std::vector<std::string>& args) {
  const ParseOutcome parsed = parse_command_line(args);
  if (!parsed.invocation) return UsageError{"<parser>", parsed.err};
  return build_request(parsed.invocation->command);
}

// The request line's JSON for a command line that must be accepted.
inline nlohmann::json request_for(const std::vector<std::string>& args) {
  const BuildOutcome outcome = build_from_args(args);
  if (const auto* error = std::get_if<UsageError>(&outcome)) {
    ADD_FAILURE() << "rejected: " << error->flag << ": " << error->message;
    return nullptr;
  }
  return request_json(std::get<ApiRequest>(outcome));
}

// The syntax error a command line must produce.
inline UsageError usage_error_for(const std::vector<std::string>& args) {
  const BuildOutcome outcome = build_from_args(args);
  if (const auto* error = std::get_if<UsageError>(&outcome)) return *error;
  ADD_FAILURE() << "accepted: " << request_json(std::get<ApiRequest>(outcome)).dump();
  return {};
}

}  // namespace vpngw::cli::testing
