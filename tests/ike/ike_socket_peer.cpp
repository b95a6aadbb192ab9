// ike_socket_peer: one IkeEngine on real UDP sockets (ports 500 and 4500 of
// one gateway address), without the dataplane, for interop tests against a
// real strongSwan (tests/ike/engine_strongswan_test.sh). The SAs the engine
// installs are recorded and written as JSON (SPIs, algorithms, keys in hex:
// a test tool, the only place keys are printed) to --out after every change
// and on exit; the connection log goes to stdout.
//
// usage: ike_socket_peer --gateway IP --peer IP --psk PSK --local-ts CIDR[,CIDR]
//          --remote-ts CIDR[,CIDR] --out FILE [--start start|respond]
//          [--ike aes128-sha1-2] [--esp aes128-sha1-2] [--local-id ID] [--remote-id ID]
//          [--esp-lifetime S] [--ike-lifetime S] [--dpd-delay S] [--dpd-timeout S]
//          [--dpd-action clear|hold|restart] [--retries N]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ike/crypto/random.hpp"
#include "ike/engine/engine.hpp"

namespace {

using namespace vpngw;
using namespace vpngw::ike;

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

[[noreturn]] void die(const std::string& message) {
  std::cerr << "ike_socket_peer: " << message << "\n";
  std::exit(2);
}

std::string hex(const uint8_t* data, size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<Cidr> cidrs(const std::string& text) {
  std::vector<Cidr> out;
  for (const std::string& s : split(text, ',')) {
    auto c = Cidr::parse(s);
    if (!c) die("bad CIDR " + s);
    out.push_back(*c);
  }
  return out;
}

// "aes128-sha1-2": cipher, integrity and DH group (or "disable") in the
// policy spelling of control/policy.hpp.
void parse_suite(const std::string& text, Cipher& cipher, Integrity& integrity, DhGroup& group) {
  auto parts = split(text, '-');
  if (parts.size() != 3) die("bad suite " + text + " (want CIPHER-INTEGRITY-GROUP)");
  auto c = enum_parse(kCipherNames, parts[0]);
  auto i = enum_parse(kIntegrityNames, parts[1]);
  auto g = enum_parse(kDhGroupNames, parts[2]);
  if (!c || !i || !g) die("bad suite " + text);
  cipher = *c;
  integrity = *i;
  group = *g;
}

nlohmann::json sa_json(const dataplane::SaParams& p) {
  return {{"spi", p.spi},
          {"spi_hex", [&] {
             char b[9];
             std::snprintf(b, sizeof b, "%08x", p.spi);
             return std::string(b);
           }()},
          {"cipher", std::string(dataplane::name_of(p.cipher))},
          {"integrity", std::string(dataplane::name_of(p.integrity))},
          {"enc_key", hex(p.cipher_key.data(), p.cipher_key_len)},
          {"auth_key", hex(p.auth_key.data(), p.auth_key_len)},
          {"src", p.tunnel_src.str()},
          {"dst", p.tunnel_dst.str()},
          {"udp_encap", p.udp_encap},
          {"udp_src_port", p.udp_src_port},
          {"udp_dst_port", p.udp_dst_port}};
}

class Recorder final : public SaInstaller, public TunnelObserver {
 public:
  explicit Recorder(std::string path, RandomSource& random) : path_(std::move(path)), random_(random) {}

  uint32_t allocate_spi() override { return random_esp_spi(random_); }
  bool add_inbound(const std::string&, const dataplane::SaParams& p, std::string*) override {
    inbound_[p.spi] = p;
    history_.push_back({{"op", "add_inbound"}, {"spi", p.spi}});
    write();
    return true;
  }
  bool set_outbound(const std::string&, const std::vector<SpdPair>&, const dataplane::SaParams& p,
                    std::string*) override {
    outbound_ = p;
    has_outbound_ = true;
    history_.push_back({{"op", "set_outbound"}, {"spi", p.spi}});
    write();
    return true;
  }
  void remove_inbound(const std::string&, uint32_t spi) override {
    inbound_.erase(spi);
    history_.push_back({{"op", "remove_inbound"}, {"spi", spi}});
    write();
  }
  void remove_outbound(const std::string&, const std::vector<SpdPair>&, uint32_t spi) override {
    if (has_outbound_ && outbound_.spi == spi) has_outbound_ = false;
    history_.push_back({{"op", "remove_outbound"}, {"spi", spi}});
    write();
  }
  SaUsage inbound_usage(const std::string&, uint32_t) override { return {}; }

  void on_connection(const std::string& tunnel, ConnectionStatus status,
                     const std::string& reason) override {
    static const char* names[] = {"connecting", "connected", "phase1_failed", "phase2_failed"};
    status_ = names[static_cast<int>(status)];
    reason_ = reason;
    std::cout << "[" << tunnel << "] status " << status_ << (reason.empty() ? "" : ": " + reason)
              << std::endl;
    write();
  }
  void on_log(const std::string& tunnel, const std::string& line) override {
    std::cout << "[" << tunnel << "] " << line << std::endl;
  }

  // The IKE SA's SPIs as the engine reports them (written when they change).
  void set_ike(const std::optional<TunnelIkeStatus>& s) {
    char buf[40] = "";
    if (s && s->spi_i != 0)
      std::snprintf(buf, sizeof buf, "%016llx_i %016llx_r", static_cast<unsigned long long>(s->spi_i),
                    static_cast<unsigned long long>(s->spi_r));
    std::string ike = s ? s->ike_state + " " + buf : "";
    if (ike == ike_) return;
    ike_ = ike;
    write();
  }

  void write() {
    nlohmann::json j;
    j["ike"] = ike_;
    j["status"] = status_;
    j["reason"] = reason_;
    j["inbound"] = nlohmann::json::array();
    for (const auto& [spi, p] : inbound_) j["inbound"].push_back(sa_json(p));
    j["outbound"] = has_outbound_ ? sa_json(outbound_) : nlohmann::json();
    j["history"] = history_;
    std::string tmp = path_ + ".tmp";
    std::ofstream(tmp) << j.dump(2) << "\n";
    std::rename(tmp.c_str(), path_.c_str());
  }

 private:
  std::string path_;
  RandomSource& random_;
  std::map<uint32_t, dataplane::SaParams> inbound_;
  dataplane::SaParams outbound_;
  bool has_outbound_ = false;
  nlohmann::json history_ = nlohmann::json::array();
  std::string status_ = "idle";
  std::string ike_;
  std::string reason_;
};

int bind_udp(Ipv4Addr address, uint16_t port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket: " + std::string(strerror(errno)));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(address.value);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0)
    die("bind " + address.str() + ":" + std::to_string(port) + ": " + strerror(errno));
  return fd;
}

// Port 4500 carries IKE behind a four-byte zero non-ESP marker (RFC 3948).
class UdpSender final : public PacketSender {
 public:
  UdpSender(int fd500, int fd4500) : fd500_(fd500), fd4500_(fd4500) {}
  void send(const Datagram& d) override {
    std::vector<uint8_t> out;
    const bool marker = d.local.port != 500 || d.remote.port != 500;
    if (marker) out.assign(4, 0);
    out.insert(out.end(), d.bytes.begin(), d.bytes.end());
    transmit(d.local.port == 500 ? fd500_ : fd4500_, d.remote, out);
  }
  void send_keepalive(const Endpoint& local, const Endpoint& remote) override {
    std::vector<uint8_t> out{0xFF};
    transmit(local.port == 500 ? fd500_ : fd4500_, remote, out);
  }

 private:
  static void transmit(int fd, const Endpoint& to, const std::vector<uint8_t>& bytes) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(to.port);
    sin.sin_addr.s_addr = htonl(to.address.value);
    if (sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&sin), sizeof sin) < 0)
      std::cerr << "sendto " << to.address.str() << ": " << strerror(errno) << "\n";
  }
  int fd500_;
  int fd4500_;
};

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key.rfind("--", 0) != 0) die("unexpected argument " + key);
    args[key.substr(2)] = argv[i + 1];
  }
  for (const char* required : {"gateway", "peer", "psk", "local-ts", "remote-ts", "out"})
    if (!args.count(required)) die(std::string("--") + required + " is required");
  auto gateway = Ipv4Addr::parse(args["gateway"]);
  auto peer = Ipv4Addr::parse(args["peer"]);
  if (!gateway || !peer) die("bad --gateway or --peer");

  ResourceSnapshot state;
  state.vpcs.push_back(Vpc{"vpc-00000001", "vpc", cidrs(args["local-ts"]), "rtb-00000001", 0});
  VpnGateway g;
  g.id = "vpngw-00000001";
  g.name = "gw";
  g.vpc_id = "vpc-00000001";
  g.public_ip = *gateway;
  g.status = ResourceStatus::running;
  state.gateways.push_back(g);
  CustomerGateway c;
  c.id = "cgw-00000001";
  c.name = "peer";
  c.public_ip = *peer;
  state.customer_gateways.push_back(c);
  Tunnel t;
  t.id = args.count("tunnel-id") ? args["tunnel-id"] : "vpnx-00000001";
  t.name = "vpnx-00000001";
  t.gateway_id = g.id;
  t.customer_gateway_id = c.id;
  t.psk = args["psk"];
  for (const Cidr& local : cidrs(args["local-ts"])) t.spd.push_back(SpdRule{local, cidrs(args["remote-ts"])});
  if (args.count("ike")) parse_suite(args["ike"], t.ike.encryption, t.ike.integrity, t.ike.dh_group);
  if (args.count("esp")) parse_suite(args["esp"], t.ipsec.encryption, t.ipsec.integrity, t.ipsec.pfs);
  if (args.count("esp-lifetime")) t.ipsec.lifetime_s = static_cast<uint32_t>(std::stoul(args["esp-lifetime"]));
  if (args.count("ike-lifetime")) t.ike.lifetime_s = static_cast<uint32_t>(std::stoul(args["ike-lifetime"]));
  if (args.count("dpd-delay")) t.dpd.delay_s = static_cast<uint32_t>(std::stoul(args["dpd-delay"]));
  if (args.count("dpd-timeout")) t.dpd.timeout_s = static_cast<uint32_t>(std::stoul(args["dpd-timeout"]));
  if (args.count("dpd-action")) {
    auto action = enum_parse(kDpdActionNames, args["dpd-action"]);
    if (!action) die("bad --dpd-action");
    t.dpd.action = *action;
  }
  if (args.count("local-id")) t.ike.local_id.value = args["local-id"];
  if (args.count("remote-id")) t.ike.remote_id.value = args["remote-id"];
  auto start = enum_parse(kStartActionNames, args.count("start") ? args["start"] : "start");
  if (!start) die("bad --start");
  t.start_action = *start;
  t.status = ResourceStatus::running;
  state.tunnels.push_back(t);

  EngineSettings settings;
  if (args.count("retries")) settings.negotiation_retries = static_cast<uint32_t>(std::stoul(args["retries"]));

  int fd500 = bind_udp(*gateway, 500);
  int fd4500 = bind_udp(*gateway, 4500);
  SodiumRandom random;
  Recorder recorder(args["out"], random);
  recorder.write();
  UdpSender sender(fd500, fd4500);
  IkeEngine engine(IkeEngine::Deps{sender, recorder, recorder, random}, settings);

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  engine.configure(state, EngineClock::now());
  std::vector<uint8_t> buf(65536);
  while (!g_stop) {
    int timeout_ms = 1000;
    if (auto next = engine.next_timer()) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*next - EngineClock::now()).count();
      timeout_ms = static_cast<int>(std::clamp<int64_t>(ms, 0, 1000));
    }
    pollfd fds[2] = {{fd500, POLLIN, 0}, {fd4500, POLLIN, 0}};
    int n = poll(fds, 2, timeout_ms);
    if (n < 0 && errno != EINTR) die("poll: " + std::string(strerror(errno)));
    for (int i = 0; i < 2 && n > 0; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t got = recvfrom(fds[i].fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (got <= 0) continue;
      const uint16_t port = i == 0 ? 500 : 4500;
      size_t skip = 0;
      if (port == 4500) {
        if (got == 1 && buf[0] == 0xFF) continue;  // NAT keepalive
        if (got < 4 || buf[0] != 0 || buf[1] != 0 || buf[2] != 0 || buf[3] != 0) continue;  // ESP: not ours here
        skip = 4;
      }
      Datagram d;
      d.local = Endpoint{*gateway, port};
      d.remote = Endpoint{Ipv4Addr{ntohl(from.sin_addr.s_addr)}, ntohs(from.sin_port)};
      d.bytes.assign(buf.begin() + static_cast<std::ptrdiff_t>(skip), buf.begin() + got);
      engine.on_datagram(d, EngineClock::now());
    }
    engine.tick(EngineClock::now());
    recorder.set_ike(engine.status(t.id, EngineClock::now()));
  }
  if (auto s = engine.status(t.id, EngineClock::now()))
    std::cout << "[" << t.id << "] final IKE state " << s->ike_state << std::endl;
  recorder.write();
  close(fd500);
  close(fd4500);
  return 0;
}
