// The commands of vpngwctl: RESOURCE VERB, the API op each one sends, and the
// flags it takes. The parser builds its subcommands from this table, so the
// usage, the requests and docs/cli.md describe the same set.
#pragma once

#include <span>
#include <string_view>

namespace vpngw::cli {

struct FlagUse {
  std::string_view flag;  // a name from flag_table.hpp
  bool required = false;
};

struct CommandSpec {
  std::string_view resource;  // the CLI word: "customer-gateway", or "info"
  std::string_view verb;      // "create", ...; empty for "info"
  std::string_view op;        // "customer_gateway.create"
  bool takes_id;              // a positional ID (an ID or a unique name) -> params.id
  std::span<const FlagUse> flags;
  std::string_view summary;
};

struct ResourceSpec {
  std::string_view word;  // "customer-gateway"
  std::string_view summary;
};

std::span<const ResourceSpec> resource_specs();
std::span<const CommandSpec> command_specs();
// nullptr when the pair is not a command; "info" has an empty verb.
const CommandSpec* find_command(std::string_view resource, std::string_view verb);

}  // namespace vpngw::cli
