// vpngwctl's command line (CLI11): global options, RESOURCE VERB, the
// positional ID and the flags of command_table.hpp. Parsing only: values stay
// text until request_builder.hpp interprets them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "control/cli/command.hpp"

namespace vpngw::cli {

struct ParseOutcome {
  std::optional<Invocation> invocation;  // set when the line asks for a request
  int exit_code = 0;                     // otherwise: 0 after --help, 2 after a usage error
  std::string out;                       // the help text
  std::string err;                       // "error: ..." and a hint, '\n'-terminated
};

// `args` is argv without the program name.
ParseOutcome parse_command_line(const std::vector<std::string>& args);

}  // namespace vpngw::cli
