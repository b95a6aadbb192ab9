#include "control/cli/command_line.hpp"

#include <deque>

#include <CLI/CLI.hpp>

#include "control/cli/command_table.hpp"
#include "control/cli/flag_table.hpp"

namespace vpngw::cli {
namespace {

constexpr const char* kFooter =
    "Global options, anywhere on the line: --socket PATH, --json.\n"
    "Socket: --socket PATH, else $VPNGW_SOCKET, else /run/vpngw/vpngw.sock.\n"
    "Exit status: 0 done; 1 vpngwd unreachable; 2 request or command line rejected.";

// The value placeholder in help: "CIDR ..." for a repeatable flag, "[BOOL]"
// for one whose value may be left out.
std::string usage_text(const FlagSpec& spec, bool required) {
  std::string text(spec.value_name);
  if (spec.kind == FlagKind::boolean) text = "[" + text + "]";
  if (is_repeatable(spec.kind)) text += " ...";
  if (required) text += " REQUIRED";
  return text;
}

// A flag's storage: CLI11 writes into `values` while parsing, so it must stay
// at one address (hence the deques in Parser).
struct BoundFlag {
  const FlagSpec* spec = nullptr;
  CLI::Option* option = nullptr;
  std::vector<std::string> values;
};

struct BoundCommand {
  const CommandSpec* spec = nullptr;
  CLI::App* app = nullptr;
  std::string id;
  std::vector<BoundFlag*> flags;
};

class Parser {
 public:
  Parser() : app_("vpngwctl: manage the vpngw VPN gateway through vpngwd's API", "vpngwctl") {
    // Global options may also follow the subcommands: "vpngwctl vpc list --json".
    app_.fallthrough();
    app_.require_subcommand(1);
    app_.footer(kFooter);
    app_.get_formatter()->column_width(36);
    app_.add_option("--socket", invocation_.socket, "vpngwd's API socket")->type_name("PATH");
    app_.add_flag("--json", invocation_.json, "print the API's result as JSON");
    for (const auto& resource : resource_specs()) add_resource(resource);
  }

  ParseOutcome parse(const std::vector<std::string>& args) {
    ParseOutcome outcome;
    // CLI11 consumes its argument vector from the back.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
      app_.parse(reversed);
    } catch (const CLI::CallForHelp&) {
      outcome.out = app_.help();
      return outcome;
    } catch (const CLI::CallForAllHelp&) {
      outcome.out = app_.help("", CLI::AppFormatMode::All);
      return outcome;
    } catch (const CLI::ParseError& e) {
      outcome.exit_code = 2;
      if (needs_verb(e)) {
        // "vpngwctl" or "vpngwctl tunnel" alone: the list of what can follow
        // helps more than CLI11's one-line complaint.
        for (const auto& extra : app_.remaining(/*recurse=*/true))
          outcome.err += "error: not expected here: " + extra + "\n";
        outcome.err += app_.help();
        return outcome;
      }
      outcome.err = std::string("error: ") + e.what() + "\nRun with --help for more information.\n";
      return outcome;
    }
    for (const auto& bound : commands_)
      if (bound.app->parsed()) outcome.invocation = invocation_for(bound);
    if (!outcome.invocation) {  // unreachable while every resource requires a verb
      outcome.exit_code = 2;
      outcome.err = "error: no command given\nRun with --help for more information.\n";
    }
    return outcome;
  }

 private:
  // The line stopped before a resource, or at one that needs a verb. CLI11
  // has no error type of its own for that, only this RequiredError wording.
  static bool needs_verb(const CLI::ParseError& e) {
    return dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
           std::string_view(e.what()).find("subcommand") != std::string_view::npos;
  }

  void add_resource(const ResourceSpec& resource) {
    CLI::App* sub = app_.add_subcommand(std::string(resource.word), std::string(resource.summary));
    if (const CommandSpec* alone = find_command(resource.word, "")) {
      bind(*alone, sub);
      return;
    }
    sub->require_subcommand(1);
    for (const auto& command : command_specs())
      if (command.resource == resource.word)
        bind(command, sub->add_subcommand(std::string(command.verb), std::string(command.summary)));
  }

  void bind(const CommandSpec& command, CLI::App* app) {
    BoundCommand& bound = commands_.emplace_back();
    bound.spec = &command;
    bound.app = app;
    if (command.takes_id)
      app->add_option("ID", bound.id, "an ID or a unique name")->required()->type_name("");
    for (const auto& use : command.flags) {
      const FlagSpec* spec = find_flag(use.flag);
      if (spec == nullptr) continue;  // command_table and flag_table are tested to agree
      BoundFlag& flag = flags_.emplace_back();
      flag.spec = spec;
      // Every occurrence takes one value; a repeated single-value flag is
      // reported by the request builder, which knows which flags repeat.
      flag.option = app->add_option(std::string(spec->name), flag.values, std::string(spec->help))
                        ->allow_extra_args(false);
      if (spec->kind == FlagKind::boolean) flag.option->expected(0, 1);
      if (use.required) flag.option->required();
      flag.option->option_text(usage_text(*spec, use.required));
      bound.flags.push_back(&flag);
    }
  }

  Invocation invocation_for(const BoundCommand& bound) const {
    Invocation invocation = invocation_;
    invocation.command.resource = std::string(bound.spec->resource);
    invocation.command.verb = std::string(bound.spec->verb);
    invocation.command.id = bound.id;
    for (const BoundFlag* flag : bound.flags) {
      if (flag->option->count() == 0) continue;
      auto values = flag->values;
      if (values.empty()) values.emplace_back();  // a bare boolean flag
      invocation.command.flags[std::string(flag->spec->name)] = std::move(values);
    }
    return invocation;
  }

  CLI::App app_;
  Invocation invocation_;
  std::deque<BoundCommand> commands_;
  std::deque<BoundFlag> flags_;
};

}  // namespace

ParseOutcome parse_command_line(const std::vector<std::string>& args) {
  Parser parser;
  return parser.parse(args);
}

}  // namespace vpngw::cli
