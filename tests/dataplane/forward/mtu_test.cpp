// The forwarding hook as a router: inner TTL, the public MTU (ICMP
// fragmentation needed, fragmentation before ESP), TCP MSS clamping, and
// the ICMP rate limit. What leaves each port is decrypted with the OpenSSL
// reference ESP and the inner packets are then checked by scapy
// (forward_scapy_check.py), as an independent parser.
#include <gtest/gtest.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <stdlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dataplane/forward/inner_ip.hpp"
#include "tests/dataplane/forward/forward_bench.hpp"
#include "tests/dataplane/ref_esp.hpp"

#ifndef VPNGW_FORWARD_SCAPY_SCRIPT
#error "VPNGW_FORWARD_SCAPY_SCRIPT must name tests/dataplane/forward/forward_scapy_check.py"
#endif

namespace vpngw::dataplane::forward::test {
namespace {

namespace fs = std::filesystem;
using dataplane::test::hex;
using dataplane::test::make_inner_packet;
using dataplane::test::ref_open;
using dataplane::test::ref_seal;
using dataplane::test::RefSealSpec;
using dataplane::test::set_ipv4_checksum;
using nlohmann::json;

constexpr size_t kEth = sizeof(rte_ether_hdr);

// The bench's SAs at the default 1500-byte MTU: gateway 0 is AES-128-CBC +
// HMAC-SHA1-96 in plain ESP: 20 (IPv4) + 8 (ESP) + 16 (IV) + 12 (ICV) = 56
// bytes, the rest in 16-byte blocks with 2 trailer bytes: 1444 -> 1440 - 2.
// Gateway 1 is AES-128-GCM in UDP: 20 + 8 + 8 + 8 (IV) + 16 (ICV) = 60,
// 4-byte blocks: 1440 - 2.
constexpr uint32_t kLimitGw0 = 1438;
constexpr uint32_t kLimitGw1 = 1438;

Bytes without_ethernet(const Bytes& f) { return Bytes(f.begin() + kEth, f.end()); }

Bytes with_ttl(Bytes p, uint8_t ttl) {
  p[8] = ttl;
  set_ipv4_checksum(p);
  return p;
}

Bytes with_df(Bytes p) {
  p[6] |= 0x40;
  set_ipv4_checksum(p);
  return p;
}

// An IPv4 TCP SYN (or SYN-ACK) with options MSS, NOP, window scale; with
// `odd`, a NOP first so the MSS value sits at an odd offset in the header.
Bytes tcp_syn(const char* src, const char* dst, bool ack, bool odd, uint16_t mss) {
  Bytes p(20 + 28, 0);
  p[0] = 0x45;
  p[3] = static_cast<uint8_t>(p.size());
  p[5] = 7;
  p[6] = 0x40;  // DF, as TCP stacks send it
  p[8] = 64;
  p[9] = IPPROTO_TCP;
  const uint32_t s = ip(src).value, d = ip(dst).value;
  for (int i = 0; i < 4; ++i) {
    p[12 + i] = static_cast<uint8_t>(s >> (24 - 8 * i));
    p[16 + i] = static_cast<uint8_t>(d >> (24 - 8 * i));
  }
  uint8_t* t = p.data() + 20;
  t[0] = 0x9c, t[1] = 0x40;  // port 40000
  t[2] = 0x14, t[3] = 0x51;  // port 5201
  t[4] = 0x12, t[5] = 0x34, t[6] = 0x56, t[7] = 0x78;
  if (ack) t[8] = 0xab, t[11] = 0x01;
  t[12] = 7 << 4;  // 28 bytes of header
  t[13] = static_cast<uint8_t>(0x02 | (ack ? 0x10 : 0));
  t[14] = 0xfa, t[15] = 0xf0;
  const uint8_t hi = static_cast<uint8_t>(mss >> 8), lo = static_cast<uint8_t>(mss);
  const std::array<uint8_t, 8> even{2, 4, hi, lo, 1, 3, 3, 7};
  const std::array<uint8_t, 8> odd_opts{1, 2, 4, hi, lo, 3, 3, 7};
  std::memcpy(t + 20, odd ? odd_opts.data() : even.data(), 8);
  set_ipv4_checksum(p);
  auto* h = reinterpret_cast<rte_ipv4_hdr*>(p.data());
  const uint16_t sum = rte_ipv4_udptcp_cksum(h, t);
  std::memcpy(t + 16, &sum, 2);
  return p;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vpngw-fwd-scapy-XXXXXX").string();
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

class MtuBench : public ForwardBench {
 protected:
  uint64_t drops(DropReason why) const { return io_counters_.drops[index_of(why)]; }

  // The inner packet of an ESP frame gateway 0 (CBC) sent out of the public port.
  Bytes open_gw0(const Bytes& frame) {
    const auto opened =
        ref_open(outbound_params(kSpiGw0, "203.0.113.2", false), without_ethernet(frame));
    EXPECT_TRUE(opened.has_value());
    if (!opened) return {};
    EXPECT_TRUE(opened->icv_ok);
    return opened->payload();
  }

  // Queues a case for scapy.
  void expect_scapy(json c) { cases_.push_back(std::move(c)); }

  // Runs scapy over every queued case; call once at the end of a test.
  void run_scapy() {
    TempDir dir;
    std::ofstream(dir.path() / "cases.json") << json{{"cases", cases_}}.dump();
    const std::string command = std::string("/usr/bin/python3 ") + VPNGW_FORWARD_SCAPY_SCRIPT +
                                " " + (dir.path() / "cases.json").string() + " > " +
                                (dir.path() / "log").string() + " 2>&1";
    const int rc = std::system(command.c_str());
    const std::string log = slurp(dir.path() / "log");
    ASSERT_EQ(rc, 0) << "scapy check failed (python3-scapy must be installed):\n" << log;
    EXPECT_NE(log.find("scapy checked " + std::to_string(cases_.size()) + " forwarding cases"),
              std::string::npos)
        << log;
    cases_.clear();
  }

  json cases_ = json::array();
};

TEST(InnerIp, MaxInnerLenIsExactForEveryBlockSize) {
  // (fixed overhead, block) of AES-CBC + SHA1, 3DES + SHA1, GCM, GCM in UDP.
  for (const auto& [fixed, block] : {std::pair{56u, 16u}, {48u, 8u}, {52u, 4u}, {60u, 4u}}) {
    for (uint32_t mtu : {576u, 1400u, 1500u, 1501u, 9000u}) {
      const uint32_t limit = max_inner_len(fixed, block, mtu);
      auto esp_len = [&](uint32_t inner) { return fixed + (inner + 2 + block - 1) / block * block; };
      EXPECT_LE(esp_len(limit), mtu) << fixed << "/" << block << " at " << mtu;
      EXPECT_GT(esp_len(limit + 1), mtu) << fixed << "/" << block << " at " << mtu;
    }
  }
}

TEST(InnerIp, IncrementalChecksumMatchesAFullRecompute) {
  for (uint8_t ttl : {2, 64, 128, 255}) {
    Bytes p = with_ttl(make_inner_packet(0xC612010A, 0xC6130214, 60, ttl), ttl);
    decrement_ttl(reinterpret_cast<rte_ipv4_hdr*>(p.data()));
    EXPECT_EQ(p, with_ttl(p, static_cast<uint8_t>(ttl - 1)));
  }
}

TEST_F(MtuBench, TtlIsDecrementedInBothDirections) {
  const Bytes out_inner = with_ttl(make_inner_packet(ip("198.18.1.10").value,
                                                     ip("198.19.2.20").value, 200, 1), 2);
  forward(0, kPrivatePort, {frame(kPrivatePort, out_inner)});
  const std::vector<Bytes> out = transmitted(kPublicPort);
  ASSERT_EQ(out.size(), 1u);
  expect_scapy({{"kind", "ttl"}, {"name", "outbound"}, {"packet", hex(open_gw0(out[0]))},
                {"orig", hex(out_inner)}, {"ttl", 1}});

  const Bytes in_inner = with_ttl(make_inner_packet(ip("198.19.2.20").value,
                                                    ip("198.18.1.10").value, 300, 2), 200);
  RefSealSpec spec;
  spec.payload = in_inner;
  forward(0, kPublicPort, {frame(kPublicPort, ref_seal(inbound_params(), spec))});
  const std::vector<Bytes> in = transmitted(kPrivatePort);
  ASSERT_EQ(in.size(), 1u);
  expect_scapy({{"kind", "ttl"}, {"name", "inbound"}, {"packet", hex(without_ethernet(in[0]))},
                {"orig", hex(in_inner)}, {"ttl", 199}});
  run_scapy();
}

TEST_F(MtuBench, ExpiredTtlIsDroppedAndAnsweredWithTimeExceeded) {
  // Outbound: the answer goes straight back out of the private port.
  const Bytes inner = with_ttl(make_inner_packet(ip("198.18.1.10").value,
                                                 ip("198.19.2.20").value, 100, 3), 1);
  forward(0, kPrivatePort, {frame(kPrivatePort, inner)});
  EXPECT_TRUE(transmitted(kPublicPort).empty());
  const std::vector<Bytes> back = transmitted(kPrivatePort);
  ASSERT_EQ(back.size(), 1u);
  rte_ether_hdr eth;
  std::memcpy(&eth, back[0].data(), sizeof(eth));
  EXPECT_TRUE(rte_is_same_ether_addr(&eth.dst_addr, &kPrivateHostMac));
  EXPECT_EQ(drops(DropReason::ttl_exceeded), 1u);
  expect_scapy({{"kind", "icmp_error"}, {"name", "outbound time exceeded"},
                {"packet", hex(without_ethernet(back[0]))}, {"orig", hex(inner)}, {"type", 11},
                {"code", 0}, {"src", "198.18.1.1"}});

  // Inbound: the sender is across the tunnel, so the answer goes back in ESP.
  const Bytes far = with_ttl(make_inner_packet(ip("198.19.2.20").value,
                                               ip("198.18.1.10").value, 120, 4), 1);
  RefSealSpec spec;
  spec.payload = far;
  forward(0, kPublicPort, {frame(kPublicPort, ref_seal(inbound_params(), spec))});
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  const std::vector<Bytes> esp = transmitted(kPublicPort);
  ASSERT_EQ(esp.size(), 1u);
  EXPECT_EQ(drops(DropReason::ttl_exceeded), 2u);
  expect_scapy({{"kind", "icmp_error"}, {"name", "inbound time exceeded, through the tunnel"},
                {"packet", hex(open_gw0(esp[0]))}, {"orig", hex(far)}, {"type", 11}, {"code", 0},
                {"src", "198.18.1.1"}});
  EXPECT_EQ(ctx_[0]->counters.icmp_sent, 2u);
  run_scapy();
}

TEST_F(MtuBench, LargestPacketThatFitsLeavesAsOneEspPacketOfAtMostTheMtu) {
  for (const auto& [dst, limit] : {std::pair{"198.19.0.1", kLimitGw0}, {"198.20.0.1", kLimitGw1}}) {
    const Bytes fits = with_df(make_inner_packet(ip("198.18.1.10").value, ip(dst).value,
                                                 static_cast<uint16_t>(limit), 5));
    clock_ += 1'000'000'000;  // gateway 1's cap is 5 Mbps
    forward(0, kPrivatePort, {frame(kPrivatePort, fits)});
    const std::vector<Bytes> out = transmitted(kPublicPort);
    ASSERT_EQ(out.size(), 1u) << dst;
    EXPECT_LE(out[0].size() - kEth, 1500u) << dst;
  }
  EXPECT_EQ(drops(DropReason::too_big), 0u);
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
}

TEST_F(MtuBench, TooBigWithDfIsDroppedAndAnsweredWithFragmentationNeeded) {
  for (const auto& [dst, limit] : {std::pair{"198.19.0.1", kLimitGw0}, {"198.20.0.1", kLimitGw1}}) {
    const Bytes big = with_df(make_inner_packet(ip("198.18.1.10").value, ip(dst).value,
                                                static_cast<uint16_t>(limit + 1), 6));
    forward(0, kPrivatePort, {frame(kPrivatePort, big)});
    EXPECT_TRUE(transmitted(kPublicPort).empty());
    const std::vector<Bytes> back = transmitted(kPrivatePort);
    ASSERT_EQ(back.size(), 1u);
    expect_scapy({{"kind", "icmp_error"}, {"name", std::string("frag needed to ") + dst},
                  {"packet", hex(without_ethernet(back[0]))}, {"orig", hex(big)}, {"type", 3},
                  {"code", 4}, {"mtu", limit}, {"src", "198.18.1.1"}});
  }
  EXPECT_EQ(drops(DropReason::too_big), 2u);
  EXPECT_EQ(sas_->find_outbound(kSlotGw0)->usage.drops[index_of(DropReason::too_big)].get(), 1u);
  EXPECT_EQ(sas_->find_outbound(kSlotGw1)->usage.drops[index_of(DropReason::too_big)].get(), 1u);

  // A smaller public MTU: 1400 - 56 = 1344 = 84 blocks, less 2.
  io_.ports[kPublicPort].mtu = 1400;
  const Bytes ping = with_df(make_inner_packet(ip("198.18.1.10").value, ip("198.19.0.1").value,
                                               1400, 7));
  forward(0, kPrivatePort, {frame(kPrivatePort, ping)});
  const std::vector<Bytes> back = transmitted(kPrivatePort);
  ASSERT_EQ(back.size(), 1u);
  expect_scapy({{"kind", "icmp_error"}, {"name", "frag needed at MTU 1400"},
                {"packet", hex(without_ethernet(back[0]))}, {"orig", hex(ping)}, {"type", 3},
                {"code", 4}, {"mtu", 1342}, {"src", "198.18.1.1"}});
  run_scapy();
}

TEST_F(MtuBench, TooBigWithoutDfIsFragmentedBeforeEspAndReassembles) {
  struct Case {
    uint16_t len;
    uint16_t mtu;
  };
  for (const Case c : {Case{1439, 1500}, Case{2000, 1500}, Case{2000, 576}, Case{1500, 1400}}) {
    io_.ports[kPublicPort].mtu = c.mtu;
    const Bytes big = make_inner_packet(ip("198.18.1.10").value, ip("198.19.0.1").value, c.len,
                                        c.len);
    forward(0, kPrivatePort, {frame(kPrivatePort, big)});
    const std::vector<Bytes> out = transmitted(kPublicPort);
    ASSERT_GE(out.size(), 2u) << c.len << " at " << c.mtu;
    json fragments = json::array();
    for (const Bytes& esp : out) {
      EXPECT_LE(esp.size() - kEth, c.mtu);
      fragments.push_back(hex(open_gw0(esp)));
    }
    const uint32_t limit = max_inner_len(56, 16, c.mtu);
    expect_scapy({{"kind", "fragments"},
                  {"name", std::to_string(c.len) + " bytes at MTU " + std::to_string(c.mtu)},
                  {"fragments", fragments}, {"orig", hex(big)}, {"ttl", big[8] - 1},
                  {"max_len", limit}});
  }
  EXPECT_EQ(ctx_[0]->counters.fragmented, 4u);
  EXPECT_EQ(drops(DropReason::too_big), 0u);
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  run_scapy();
}

// Inbound, the private port's MTU: a decrypted packet too big for it is
// fragmented without DF and answered with fragmentation needed, through the
// tunnel, with DF.
TEST_F(MtuBench, InnerPacketsOverThePrivateMtuAreFragmentedOrAnsweredThroughTheTunnel) {
  io_.ports[kPrivatePort].mtu = 1000;
  const Bytes big = make_inner_packet(ip("198.19.2.20").value, ip("198.18.1.10").value, 1400, 9);
  RefSealSpec spec;
  spec.seq = 1;
  spec.payload = big;
  forward(0, kPublicPort, {frame(kPublicPort, ref_seal(inbound_params(), spec))});
  const std::vector<Bytes> out = transmitted(kPrivatePort);
  ASSERT_EQ(out.size(), 2u);
  json fragments = json::array();
  for (const Bytes& f : out) {
    EXPECT_LE(f.size() - kEth, 1000u);
    fragments.push_back(hex(without_ethernet(f)));
  }
  expect_scapy({{"kind", "fragments"}, {"name", "inbound 1400 bytes at private MTU 1000"},
                {"fragments", fragments}, {"orig", hex(big)}, {"ttl", big[8] - 1},
                {"max_len", 1000}});
  EXPECT_EQ(ctx_[0]->counters.fragmented, 1u);
  EXPECT_EQ(ctx_[0]->counters.fragments, 2u);
  EXPECT_TRUE(transmitted(kPublicPort).empty());

  const Bytes big_df = with_df(big);
  spec.seq = 2;
  spec.payload = big_df;
  forward(0, kPublicPort, {frame(kPublicPort, ref_seal(inbound_params(), spec))});
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  const std::vector<Bytes> esp = transmitted(kPublicPort);
  ASSERT_EQ(esp.size(), 1u);  // the ICMP error, in the tunnel back to the sender
  EXPECT_EQ(drops(DropReason::too_big), 1u);
  expect_scapy({{"kind", "icmp_error"}, {"name", "inbound frag needed at private MTU 1000"},
                {"packet", hex(open_gw0(esp[0]))}, {"orig", hex(big_df)}, {"type", 3},
                {"code", 4}, {"mtu", 1000}, {"src", "198.18.1.1"}});
  run_scapy();
}

TEST_F(MtuBench, ManyFragmentsInOneBurstAllLeave) {
  // 20 packets of 2000 bytes at MTU 576 (510-byte inner packets, 488 data
  // bytes each): 5 fragments each, 100 ESP packets from a burst of 20, more
  // than a stage burst holds.
  io_.ports[kPublicPort].mtu = 576;
  std::vector<rte_mbuf*> burst;
  for (uint32_t i = 0; i < 20; ++i)
    burst.push_back(frame(kPrivatePort, make_inner_packet(ip("198.18.1.10").value,
                                                          ip("198.19.0.1").value, 2000, i)));
  forward(0, kPrivatePort, burst);
  EXPECT_EQ(transmitted(kPublicPort).size(), 100u);
  EXPECT_EQ(ctx_[0]->counters.fragments, 100u);
  EXPECT_EQ(ctx_[0]->counters.encrypted, 100u);
}

TEST_F(MtuBench, TcpSynMssIsClampedInBothDirections) {
  const uint16_t clamp = kLimitGw0 - 40;
  // Outbound SYN, MSS at an even and an odd offset.
  for (bool odd : {false, true}) {
    const Bytes syn = tcp_syn("198.18.1.10", "198.19.2.20", false, odd, 1460);
    forward(0, kPrivatePort, {frame(kPrivatePort, syn)});
    const std::vector<Bytes> out = transmitted(kPublicPort);
    ASSERT_EQ(out.size(), 1u);
    expect_scapy({{"kind", "tcp_mss"}, {"name", odd ? "outbound SYN, odd" : "outbound SYN"},
                  {"packet", hex(open_gw0(out[0]))}, {"orig", hex(syn)}, {"mss", clamp},
                  {"ttl", 63}});
  }
  // A SYN already below the clamp is left alone (but routed).
  const Bytes small = tcp_syn("198.18.1.10", "198.19.2.20", false, false, 1200);
  forward(0, kPrivatePort, {frame(kPrivatePort, small)});
  const std::vector<Bytes> out = transmitted(kPublicPort);
  ASSERT_EQ(out.size(), 1u);
  expect_scapy({{"kind", "tcp_mss"}, {"name", "small MSS"}, {"packet", hex(open_gw0(out[0]))},
                {"orig", hex(small)}, {"mss", 1200}, {"ttl", 63}});

  // Inbound SYN-ACK: clamped for the way back, gateway 0's SA.
  for (bool odd : {false, true}) {
    const Bytes syn_ack = tcp_syn("198.19.2.20", "198.18.1.10", true, odd, 8960);
    RefSealSpec spec;
    spec.seq = odd ? 2 : 1;
    spec.payload = syn_ack;
    forward(0, kPublicPort, {frame(kPublicPort, ref_seal(inbound_params(), spec))});
    const std::vector<Bytes> in = transmitted(kPrivatePort);
    ASSERT_EQ(in.size(), 1u);
    expect_scapy({{"kind", "tcp_mss"}, {"name", odd ? "inbound SYN-ACK, odd" : "inbound SYN-ACK"},
                  {"packet", hex(without_ethernet(in[0]))}, {"orig", hex(syn_ack)},
                  {"mss", clamp}, {"ttl", 63}});
  }
  EXPECT_EQ(ctx_[0]->counters.mss_clamped, 4u);
  run_scapy();
}

TEST_F(MtuBench, IcmpErrorsAreRateLimitedPerWorker) {
  std::vector<rte_mbuf*> burst;
  for (uint32_t i = 0; i < 20; ++i)
    burst.push_back(frame(kPrivatePort, with_df(make_inner_packet(
                                            ip("198.18.1.10").value, ip("198.19.0.1").value,
                                            1500, i))));
  forward(0, kPrivatePort, burst);
  const IcmpRateLimit& limit = ctx_[0]->icmp_limit;
  EXPECT_EQ(transmitted(kPrivatePort).size(), limit.burst);
  EXPECT_EQ(ctx_[0]->counters.icmp_rate_limited, 20 - limit.burst);
  EXPECT_EQ(drops(DropReason::too_big), 20u);
  // The bench's clock runs at 1 GHz: 100 errors a second is one per 10 ms.
  EXPECT_EQ(limit.interval, 1'000'000'000 / kIcmpErrorsPerSecond);
  clock_ += 3 * limit.interval;
  burst.clear();
  for (uint32_t i = 0; i < 5; ++i)
    burst.push_back(frame(kPrivatePort, with_df(make_inner_packet(
                                            ip("198.18.1.10").value, ip("198.19.0.1").value,
                                            1500, i))));
  forward(0, kPrivatePort, burst);
  EXPECT_EQ(transmitted(kPrivatePort).size(), 3u);
}

TEST_F(MtuBench, NoIcmpErrorAboutAnIcmpError) {
  Bytes err = make_inner_packet(ip("198.18.1.10").value, ip("198.19.2.20").value, 100, 9);
  err[9] = IPPROTO_ICMP;
  err[20] = 3;  // destination unreachable
  err = with_ttl(err, 1);
  forward(0, kPrivatePort, {frame(kPrivatePort, err)});
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  EXPECT_TRUE(transmitted(kPublicPort).empty());
  EXPECT_EQ(drops(DropReason::ttl_exceeded), 1u);
}

}  // namespace
}  // namespace vpngw::dataplane::forward::test
