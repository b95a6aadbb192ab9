// IKE frames on the public port, checked against scapy (frames_oracle.py):
// scapy parses what we build, we parse what scapy builds.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "control/ike/ike_frames.hpp"

#ifndef VPNGW_FRAMES_ORACLE
#error "VPNGW_FRAMES_ORACLE must name tests/ike_glue/frames_oracle.py"
#endif

namespace vpngw::ike_glue {
namespace {

std::string run(const std::string& args) {
  const std::string cmd = "/usr/bin/python3 " + std::string(VPNGW_FRAMES_ORACLE) + " " + args;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) throw std::runtime_error("frames_oracle.py failed: " + cmd);
  return out;
}

std::string hex(ike::ByteView b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

ike::Bytes unhex(const std::string& s) {
  ike::Bytes b;
  for (size_t i = 0; i + 1 < s.size(); i += 2) b.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return b;
}

ike::Datagram datagram(uint16_t local_port, uint16_t remote_port, ike::Bytes bytes) {
  return {{*Ipv4Addr::parse("198.51.100.10"), local_port}, {*Ipv4Addr::parse("203.0.113.7"), remote_port}, bytes};
}

const MacAddr kSrc{2, 0, 0, 0, 0, 1};
const MacAddr kDst{2, 0, 0, 0, 0, 2};

TEST(IkeFrames, ScapyParsesPort500FrameWithValidChecksums) {
  const ike::Bytes ike_msg{0x11, 0x22, 0x33, 0x44, 0x55};  // odd length: checksum padding
  const auto frame = build_ike_frame(datagram(500, 500, ike_msg), kSrc, kDst, 0x1234);
  auto j = nlohmann::json::parse(run("parse " + hex(frame)));
  EXPECT_EQ(j["src"], "198.51.100.10");
  EXPECT_EQ(j["dst"], "203.0.113.7");
  EXPECT_EQ(j["sport"], 500);
  EXPECT_EQ(j["dport"], 500);
  EXPECT_EQ(j["ttl"], 64);
  EXPECT_EQ(j["id"], 0x1234);
  EXPECT_EQ(j["src_mac"], "02:00:00:00:00:01");
  EXPECT_EQ(j["dst_mac"], "02:00:00:00:00:02");
  EXPECT_EQ(j["udp_len"], 8 + 5);
  EXPECT_EQ(j["ip_len"], 20 + 8 + 5);
  EXPECT_TRUE(j["ip_checksum_ok"]);
  EXPECT_TRUE(j["udp_checksum_ok"]);
  EXPECT_EQ(j["payload"], "1122334455");  // no marker on port 500
}

TEST(IkeFrames, Port4500CarriesTheNonEspMarker) {
  const auto frame = build_ike_frame(datagram(4500, 31000, {0xaa, 0xbb}), kSrc, kDst, 7);
  auto j = nlohmann::json::parse(run("parse " + hex(frame)));
  EXPECT_EQ(j["sport"], 4500);
  EXPECT_EQ(j["dport"], 31000);
  EXPECT_EQ(j["payload"], "00000000aabb");
  EXPECT_TRUE(j["udp_checksum_ok"]);
}

TEST(IkeFrames, KeepaliveIsOneFfByte) {
  const auto frame = build_keepalive_frame(datagram(4500, 4500, {}).local, datagram(4500, 4500, {}).remote, kSrc,
                                           kDst, 9);
  auto j = nlohmann::json::parse(run("parse " + hex(frame)));
  EXPECT_EQ(j["payload"], "ff");
  EXPECT_TRUE(j["udp_checksum_ok"]);
}

TEST(IkeFrames, ParsesScapyFrames) {
  auto f500 = unhex(run(R"(build '{"src":"203.0.113.7","dst":"198.51.100.10","sport":500,"dport":500,"payload":"0102030405"}')"));
  auto r = parse_ike_frame(f500);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->keepalive);
  EXPECT_EQ(r->datagram.remote.address.str(), "203.0.113.7");
  EXPECT_EQ(r->datagram.remote.port, 500);
  EXPECT_EQ(r->datagram.local.address.str(), "198.51.100.10");
  EXPECT_EQ(r->datagram.bytes, (ike::Bytes{1, 2, 3, 4, 5}));

  auto f4500 = unhex(run(R"(build '{"src":"203.0.113.7","dst":"198.51.100.10","sport":4500,"dport":4500,"payload":"00000000abcd"}')"));
  r = parse_ike_frame(f4500);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->datagram.local.port, 4500);
  EXPECT_EQ(r->datagram.bytes, (ike::Bytes{0xab, 0xcd}));  // marker stripped

  auto ka = unhex(run(R"(build '{"src":"203.0.113.7","dst":"198.51.100.10","sport":4500,"dport":4500,"payload":"ff"}')"));
  r = parse_ike_frame(ka);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->keepalive);
}

TEST(IkeFrames, RefusesWhatIsNotAnIkeDatagram) {
  // ESP in UDP (no marker), IP fragments, truncation at every length.
  auto esp = unhex(run(R"(build '{"src":"203.0.113.7","dst":"198.51.100.10","sport":4500,"dport":4500,"payload":"0000100100000001"}')"));
  esp[14 + 20 + 8 + 3] = 0x01;  // SPI 0x00000001..: not the all-zero marker
  EXPECT_FALSE(parse_ike_frame(esp));
  auto frag = unhex(run(R"(build '{"src":"203.0.113.7","dst":"198.51.100.10","sport":500,"dport":500,"payload":"01020304","flags":1}')"));
  EXPECT_FALSE(parse_ike_frame(frag));
  auto good = build_ike_frame(datagram(500, 500, {1, 2, 3, 4, 5, 6, 7, 8}), kSrc, kDst, 1);
  ASSERT_TRUE(parse_ike_frame(good));
  for (size_t len = 0; len < good.size(); ++len)
    EXPECT_FALSE(parse_ike_frame(ike::ByteView(good.data(), len))) << "truncated to " << len;
}

}  // namespace
}  // namespace vpngw::ike_glue
