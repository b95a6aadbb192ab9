// vpngwctl: the operators' command-line client of vpngwd (docs/cli.md).
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "control/cli/vpngwctl.hpp"

int main(int argc, char** argv) {
  vpngw::cli::Environment env;
  if (const char* socket = std::getenv("VPNGW_SOCKET")) env.socket_env = socket;
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    return vpngw::cli::run_vpngwctl(args, env, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // Nothing below is expected to throw; if something does, say what rather
    // than abort with a core dump in an operator's terminal.
    std::cerr << "error: internal: " << e.what() << "\n";
    return vpngw::cli::kExitUnreachable;
  }
}
