#include "tests/ike/oracle.hpp"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#ifndef VPNGW_IKE_ORACLE
#error "VPNGW_IKE_ORACLE must name tests/ike/ike_oracle.py"
#endif

namespace vpngw::ike::test {

namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vpngw-ike-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

nlohmann::json run_oracle(const std::string& command, const nlohmann::json& request) {
  TempDir dir;
  const fs::path in = dir.path() / "in.json";
  const fs::path out = dir.path() / "out.json";
  const fs::path err = dir.path() / "err.txt";
  std::ofstream(in) << request.dump();
  const std::string cmd = "/usr/bin/python3 '" + std::string(VPNGW_IKE_ORACLE) + "' " + command +
                          " '" + in.string() + "' '" + out.string() + "' 2>'" + err.string() + "'";
  if (std::system(cmd.c_str()) != 0)
    throw std::runtime_error("ike_oracle.py " + command + " failed: " + slurp(err));
  return nlohmann::json::parse(slurp(out));
}

std::string hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

Bytes unhex(const std::string& text) {
  if (text.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  Bytes out;
  for (size_t i = 0; i < text.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace vpngw::ike::test
