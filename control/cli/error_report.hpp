// How vpngwctl words a failure on stderr, so the operator can tell which
// flag to fix: the daemon names API fields, the operator typed flags.
#pragma once

#include <string>
#include <string_view>

#include "control/cli/request_builder.hpp"

namespace vpngw::cli {

// The flag an API error field points at: "ike.dh_group" -> "--ike-dh",
// "spd[1].peers[0]" -> "--spd #2", "cidrs[0]" -> "--cidr #1", "id" -> "ID".
// Empty when the field has no flag of its own (or is empty).
std::string flag_for_field(std::string_view field);

// "error: <code>: <field>: <message> (flag <flag>)", or "(argument ID)";
// the flag part only when the field maps to one, the field part only when there is a field. No '\n'.
std::string format_api_error(std::string_view code, std::string_view field,
                             std::string_view message);

// "error: <flag>: <message>", no '\n'.
std::string format_usage_error(const UsageError& error);

}  // namespace vpngw::cli
