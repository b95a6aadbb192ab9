// Turns a typed command into the API request it stands for. Pure: no I/O,
// so every resource, verb and flag mapping is unit-tested without a daemon.
#pragma once

#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "control/cli/command.hpp"

namespace vpngw::cli {

struct ApiRequest {
  std::string op;                                       // "tunnel.create"
  nlohmann::json params = nlohmann::json::object();     // only what was given
};

// A command line that cannot become a request: the flag (as the operator
// knows it: "--spd #2", "ID") and what is wrong with its syntax.
struct UsageError {
  std::string flag;
  std::string message;
};

using BuildOutcome = std::variant<ApiRequest, UsageError>;

// Maps the flags to params through flag_table.hpp; a dotted param lands in a
// nested object ("ike.dh_group" -> {"ike": {"dh_group": ...}}). Checks only
// syntax (integers, booleans, the LOCAL=PEER shape, flags given twice).
BuildOutcome build_request(const Command& command);

// The request line's object: {"version": 1, "op": ..., "params": ...};
// "params" is left out when there are none, as the API allows.
nlohmann::json request_json(const ApiRequest& request);

}  // namespace vpngw::cli
