// The whole of vpngwctl except the process boundary: parse the command line,
// send the request, print the answer, choose the exit status. main() passes
// the environment and the standard streams; tests pass their own.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace vpngw::cli {

inline constexpr std::string_view kDefaultSocketPath = "/run/vpngw/vpngw.sock";

// Exit statuses, as documented in docs/cli.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUnreachable = 1;  // no daemon, connection lost, timeout, bad response
inline constexpr int kExitRejected = 2;     // the daemon refused, or the command line is wrong

struct Environment {
  std::string socket_env;  // $VPNGW_SOCKET; empty when unset
  std::chrono::milliseconds timeout{30'000};
};

// --socket wins over $VPNGW_SOCKET, which wins over the default.
std::string resolve_socket_path(std::string_view socket_flag, std::string_view socket_env);

// `args` is argv without the program name. Returns the exit status.
int run_vpngwctl(const std::vector<std::string>& args, const Environment& env,
                 std::ostream& out, std::ostream& err);

}  // namespace vpngw::cli
