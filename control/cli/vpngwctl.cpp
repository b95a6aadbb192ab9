#include "control/cli/vpngwctl.hpp"

#include <optional>

#include "control/cli/api_client.hpp"
#include "control/cli/command_line.hpp"
#include "control/cli/error_report.hpp"
#include "control/cli/output_format.hpp"
#include "control/cli/private_file.hpp"
#include "control/cli/request_builder.hpp"
#include "control/model_json.hpp"

namespace vpngw::cli {
namespace {

// The daemon masks PSKs, but an error message could still quote the value
// the operator typed; the CLI promises never to print it back. Very short
// keys are left alone: masking every "a" would garble the message instead.
constexpr size_t kMinRedactedPskLength = 4;

std::string redact(std::string text, const std::string& psk) {
  if (psk.size() < kMinRedactedPskLength) return text;
  const std::string_view mask = kMaskedPsk;
  for (auto at = text.find(psk); at != std::string::npos; at = text.find(psk, at + mask.size()))
    text.replace(at, psk.size(), mask);
  return text;
}

std::string psk_of(const ApiRequest& request) {
  const auto it = request.params.find("psk");
  return it != request.params.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string string_field(const OrderedJson& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Any "psk" in a result other than tunnel.config's is shown masked, should a
// daemon ever send one in clear.
void mask_psks(OrderedJson& result) {
  if (!result.is_object()) return;
  if (result.contains("psk")) result["psk"] = kMaskedPsk;
  if (auto items = result.find("items"); items != result.end() && items->is_array())
    for (auto& item : *items)
      if (item.is_object() && item.contains("psk")) item["psk"] = kMaskedPsk;
}

// `tunnel config --output FILE`: the configuration goes to the file, stdout
// gets a note (or, with --json, the result without the configuration text).
int save_config(const OrderedJson& result, const std::string& path, bool json,
                std::ostream& out, std::ostream& err) {
  if (!result.is_object() || !result.contains("config") || !result["config"].is_string()) {
    err << "error: the tunnel.config result has no configuration text\n";
    return kExitUnreachable;
  }
  if (auto failure = write_private_file(path, result["config"].get<std::string>());
      !failure.empty()) {
    err << "error: " << failure << "\n";
    return kExitUnreachable;
  }
  if (json) {
    OrderedJson note = result;
    note.erase("config");
    note["output"] = path;
    out << format_json(note);
  } else {
    out << "wrote the " << string_field(result, "vendor") << " configuration to " << path
        << "\n";
  }
  return kExitOk;
}

int print_result(const Invocation& invocation, const ApiRequest& request, OrderedJson result,
                 std::ostream& out, std::ostream& err) {
  if (request.op == "tunnel.config") {
    const auto& flags = invocation.command.flags;
    if (auto output = flags.find("--output"); output != flags.end())
      return save_config(result, output->second.back(), invocation.json, out, err);
  } else {
    mask_psks(result);
  }
  out << (invocation.json ? format_json(result) : format_human(request.op, result));
  return kExitOk;
}

}  // namespace

std::string resolve_socket_path(std::string_view socket_flag, std::string_view socket_env) {
  if (!socket_flag.empty()) return std::string(socket_flag);
  if (!socket_env.empty()) return std::string(socket_env);
  return std::string(kDefaultSocketPath);
}

int run_vpngwctl(const std::vector<std::string>& args, const Environment& env,
                 std::ostream& out, std::ostream& err) {
  const ParseOutcome parsed = parse_command_line(args);
  out << parsed.out;
  err << parsed.err;
  if (!parsed.invocation) return parsed.exit_code;
  const Invocation& invocation = *parsed.invocation;

  const BuildOutcome built = build_request(invocation.command);
  if (const auto* usage = std::get_if<UsageError>(&built)) {
    err << format_usage_error(*usage) << "\n";
    return kExitRejected;
  }
  const ApiRequest& request = std::get<ApiRequest>(built);

  const ApiClient client(resolve_socket_path(invocation.socket, env.socket_env), env.timeout);
  // Arguments that are not valid UTF-8 are sent with U+FFFD in their place
  // rather than aborting; the daemon then rejects or stores what it got.
  const auto line =
      request_json(request).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const RoundTrip trip = client.exchange(line);
  if (!trip.ok()) {
    err << "error: " << trip.failure << "\n";
    return kExitUnreachable;
  }

  const std::string from = "vpngwd at " + client.socket_path();
  const auto response = OrderedJson::parse(trip.response, nullptr, /*allow_exceptions=*/false);
  if (!response.is_object()) {
    err << "error: " << from << " sent a response that is not a JSON object\n";
    return kExitUnreachable;
  }
  if (const auto version = response.find("version");
      version != response.end() && *version != 1) {
    err << "error: " << from << " answered with API version " << version->dump()
        << "; this vpngwctl speaks version 1\n";
    return kExitUnreachable;
  }
  if (const auto error = response.find("error"); error != response.end() && error->is_object()) {
    const std::string psk = psk_of(request);
    err << redact(format_api_error(string_field(*error, "code"), string_field(*error, "field"),
                                   string_field(*error, "message")),
                  psk)
        << "\n";
    return kExitRejected;
  }
  if (const auto result = response.find("result"); result != response.end())
    return print_result(invocation, request, *result, out, err);
  err << "error: " << from << " sent a response with neither result nor error\n";
  return kExitUnreachable;
}

}  // namespace vpngw::cli
