#include "control/cli/request_builder.hpp"

#include <algorithm>
#include <optional>

#include "control/cli/command_table.hpp"
#include "control/cli/flag_syntax.hpp"
#include "control/cli/flag_table.hpp"

namespace vpngw::cli {
namespace {

using nlohmann::json;

std::string command_words(const CommandSpec& command) {
  std::string words(command.resource);
  if (!command.verb.empty()) words += " " + std::string(command.verb);
  return words;
}

// "--spd" with index 1 -> "--spd #2": operators count the flags they typed from one.
std::string occurrence(std::string_view flag, size_t index) {
  return std::string(flag) + " #" + std::to_string(index + 1);
}

json::json_pointer pointer_for(std::string_view param) {
  std::string path = "/" + std::string(param);
  std::replace(path.begin(), path.end(), '.', '/');
  return json::json_pointer(path);
}

// The JSON value of one flag, or the syntax error that prevents it.
std::variant<json, UsageError> flag_value(const FlagSpec& flag,
                                          const std::vector<std::string>& values) {
  const std::string name(flag.name);
  switch (flag.kind) {
    case FlagKind::text:
    case FlagKind::local:
      return json(values.front());
    case FlagKind::text_list:
      return json(values);
    case FlagKind::integer: {
      const auto number = parse_integer(values.front());
      if (!number) return UsageError{name, "expected an integer, got '" + values.front() + "'"};
      return json(*number);
    }
    case FlagKind::boolean: {
      const auto value = parse_boolean(values.front());
      if (!value) return UsageError{name, "expected true or false, got '" + values.front() + "'"};
      return json(*value);
    }
    case FlagKind::spd_rule: {
      json rules = json::array();
      for (size_t i = 0; i < values.size(); ++i) {
        const auto rule = parse_spd_rule(values[i]);
        if (!rule)
          return UsageError{occurrence(name, i),
                            "expected LOCAL=PEER[,PEER...], got '" + values[i] + "'"};
        rules.push_back({{"local", rule->local}, {"peers", rule->peers}});
      }
      return rules;
    }
  }
  return UsageError{name, "unsupported flag kind"};
}

std::optional<UsageError> check_flags_belong(const CommandSpec& spec, const Command& command) {
  for (const auto& [name, values] : command.flags) {
    const bool known = std::any_of(spec.flags.begin(), spec.flags.end(),
                                   [&](const FlagUse& use) { return use.flag == name; });
    if (!known) return UsageError{name, "not a flag of '" + command_words(spec) + "'"};
    if (values.empty()) return UsageError{name, "has no value"};
  }
  for (const auto& use : spec.flags)
    if (use.required && !command.flags.contains(use.flag))
      return UsageError{std::string(use.flag), "is required"};
  return std::nullopt;
}

}  // namespace

BuildOutcome build_request(const Command& command) {
  const CommandSpec* spec = find_command(command.resource, command.verb);
  if (spec == nullptr) {
    std::string words = command.resource;
    if (!command.verb.empty()) words += " " + command.verb;
    return UsageError{"", "unknown command '" + words + "'"};
  }
  if (auto error = check_flags_belong(*spec, command)) return *error;

  ApiRequest request{std::string(spec->op)};
  if (spec->takes_id) {
    if (command.id.empty()) return UsageError{"ID", "is required"};
    request.params["id"] = command.id;
  }
  for (const auto& [name, values] : command.flags) {
    const FlagSpec* flag = find_flag(name);
    if (flag == nullptr) return UsageError{name, "unknown flag"};
    if (flag->kind == FlagKind::local) continue;
    if (!is_repeatable(flag->kind) && values.size() > 1)
      return UsageError{name, "given " + std::to_string(values.size()) + " times; give it once"};
    auto value = flag_value(*flag, values);
    if (auto* error = std::get_if<UsageError>(&value)) return *error;
    request.params[pointer_for(flag->param)] = std::move(std::get<json>(value));
  }
  return request;
}

nlohmann::json request_json(const ApiRequest& request) {
  json line = {{"version", 1}, {"op", request.op}};
  if (!request.params.empty()) line["params"] = request.params;
  return line;
}

}  // namespace vpngw::cli
