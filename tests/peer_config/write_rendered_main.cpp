// Test-only tool: renders every fixture tunnel in one vendor form (default
// swanctl) into OUTDIR/<fixture label>.<vendor>, for swanctl_load_test.sh to
// load into a real strongSwan, unmodified.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "control/peer_config/peer_config.hpp"
#include "tests/peer_config/fixtures.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUTDIR [VENDOR]\n", argv[0]);
    return 2;
  }
  std::filesystem::path dir = argv[1];
  std::string vendor = argc == 3 ? argv[2] : "swanctl";
  std::filesystem::create_directories(dir);
  for (const auto& fixture : vpngw::peer_test::all_fixtures()) {
    auto rendered = vpngw::render_peer_config(fixture.input(), vendor);
    if (!rendered) {
      std::fprintf(stderr, "%s: %s\n", rendered.error().field.c_str(),
                   rendered.error().message.c_str());
      return 1;
    }
    std::ofstream out(dir / (fixture.label + "." + vendor));
    out << rendered->text;
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", (dir / fixture.label).c_str());
      return 1;
    }
  }
  return 0;
}
