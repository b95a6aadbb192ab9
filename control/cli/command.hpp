// A vpngwctl command as the operator typed it, before any value is
// interpreted: the output of the parser and the input of the request builder.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vpngw::cli {

struct Command {
  std::string resource;  // "tunnel", "customer-gateway", "info"
  std::string verb;      // "create", "config", ...; empty for "info"
  std::string id;        // the positional ID or name, for commands that take one
  // Flag name ("--spd") -> every value given, in command-line order. A bare
  // boolean flag ("--esn") has one empty value.
  std::map<std::string, std::vector<std::string>, std::less<>> flags;
};

// What the whole command line asked for.
struct Invocation {
  std::string socket;  // --socket; empty when not given
  bool json = false;   // --json
  Command command;
};

}  // namespace vpngw::cli
