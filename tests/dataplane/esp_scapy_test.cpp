// Interoperability with an independent ESP implementation: scapy's
// SecurityAssociation (tests/dataplane/esp_scapy_check.py) decrypts what
// vpngw encapsulates, for every suite, with and without UDP encapsulation
// (and ESN for GCM: scapy's HMAC path ignores ESN, the OpenSSL reference in
// esp_roundtrip_test.cpp covers that); vpngw decapsulates what scapy
// encrypts and rejects scapy's packets with a flipped bit.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/dataplane/esp_fixture.hpp"

#ifndef VPNGW_SCAPY_SCRIPT
#error "VPNGW_SCAPY_SCRIPT must name tests/dataplane/esp_scapy_check.py"
#endif

namespace vpngw::dataplane::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Case {
  std::string name;
  Suite suite;
  SaOptions options;
};

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (const Suite& s : all_suites()) {
    for (bool udp : {false, true}) {
      SaOptions o;
      o.udp = udp;
      o.spi = 0x10000 + static_cast<uint32_t>(out.size());
      out.push_back({s.name() + (udp ? "_udp" : ""), s, o});
      if (info_of(s.cipher).aead) {
        o.esn = true;
        o.spi += 0x1000;
        // Our packets cross 2^32; scapy's arrive with high half 1.
        o.start_seq = 0xFFFFFFFEu;
        out.push_back({s.name() + (udp ? "_udp" : "") + "_esn", s, o});
      }
    }
  }
  return out;
}

std::string dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vpngw-scapy-XXXXXX").string();
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

class ScapyInterop : public EspFixture, public ::testing::Test {};

TEST_F(ScapyInterop, BothWaysForEverySuite) {
  const std::vector<Case> cases = all_cases();
  std::vector<SaPair> sas;
  json to_scapy{{"cases", json::array()}};
  const std::vector<uint16_t> sizes{28, 64, 333, 1420};
  size_t our_packets = 0;
  for (const Case& c : cases) {
    sas.push_back(pair(c.suite, c.options));
    SaPair& sa = sas.back();
    ASSERT_TRUE(sa.out && sa.in) << c.name;
    const SaParams& p = sa.out_params;
    json packets = json::array();
    for (size_t k = 0; k < sizes.size(); ++k) {
      const Bytes inner =
          make_inner_packet(kLocalHost, kRemoteHost, sizes[k], static_cast<uint32_t>(k),
                            static_cast<uint8_t>(0x28 * k), k % 2 == 1);
      const Bytes wire = sealed(*sa.out, inner);
      packets.push_back({{"wire", hex(wire)}, {"inner", hex(inner)}, {"seq", sa.out->seq.load()}});
      ++our_packets;
    }
    to_scapy["cases"].push_back({
        {"name", c.name},
        {"cipher", name_of(p.cipher)},
        {"integrity", name_of(p.integrity)},
        {"cipher_key", hex({p.cipher_key.data(), p.cipher_key_len})},
        {"auth_key", hex({p.auth_key.data(), p.auth_key_len})},
        {"spi", p.spi},
        {"src", dotted(p.tunnel_src.value)},
        {"dst", dotted(p.tunnel_dst.value)},
        {"udp", p.udp_encap},
        {"sport", p.udp_src_port},
        {"dport", p.udp_dst_port},
        {"esn", p.esn},
        {"packets", packets},
    });
  }

  TempDir dir;
  std::ofstream(dir.path() / "to_scapy.json") << to_scapy.dump();
  const std::string command = std::string("/usr/bin/python3 ") + VPNGW_SCAPY_SCRIPT + " " +
                              dir.path().string() + " > " + (dir.path() / "log").string() + " 2>&1";
  const int rc = std::system(command.c_str());
  const std::string log = slurp(dir.path() / "log");
  ASSERT_EQ(rc, 0) << "scapy cross-check failed (python3-scapy must be installed):\n" << log;
  EXPECT_NE(log.find("scapy checked " + std::to_string(our_packets) + " vpngw packets"),
            std::string::npos)
      << log;

  // Now the other way: scapy's packets into vpngw.
  const json from = json::parse(slurp(dir.path() / "from_scapy.json"));
  ASSERT_EQ(from["cases"].size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const json& c = from["cases"][i];
    ASSERT_EQ(c["name"], cases[i].name);
    SCOPED_TRACE(cases[i].name);
    // A fresh receiving SA; with ESN its window starts at 2^32 so scapy's
    // numbers (high half 1) are inferred right.
    SaOptions receive = cases[i].options;
    receive.start_seq = cases[i].options.esn ? uint64_t{1} << 32 : 0;
    SaPair rx = pair(cases[i].suite, receive);
    ASSERT_TRUE(rx.in);
    ASSERT_EQ(c["good"].size(), 3u);
    ASSERT_EQ(c["tampered"].size(), 12u);
    for (const json& t : c["tampered"]) {
      const Outcome o = decap(*rx.in, unhex(t["wire"]));
      EXPECT_FALSE(o.ok) << "bit flip at " << t["offset"] << " accepted";
      EXPECT_EQ(o.why, DropReason::auth_failed) << "at " << t["offset"] << ": " << name_of(o.why);
    }
    for (const json& g : c["good"]) {
      const Outcome o = decap(*rx.in, unhex(g["wire"]));
      ASSERT_TRUE(o.ok) << "scapy packet seq " << g["seq"] << " dropped: " << name_of(o.why);
      EXPECT_EQ(hex(bytes_of(o.m)), g["inner"].get<std::string>());
    }
    EXPECT_EQ(rx.in->replay.top(), c["good"].back()["seq"].get<uint64_t>());
  }
}

}  // namespace
}  // namespace vpngw::dataplane::test
