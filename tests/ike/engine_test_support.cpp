#include "tests/ike/engine_test_support.hpp"

#include <cstdio>

namespace vpngw::ike::test {

namespace {

Ipv4Addr ip(const char* text) { return *Ipv4Addr::parse(text); }
Cidr cidr(const char* text) { return *Cidr::parse(text); }

// The NAT in front of b maps its ports 500 and 4500 to these.
constexpr uint16_t kNatPort500 = 1500;
constexpr uint16_t kNatPort4500 = 14500;

}  // namespace

ResourceSnapshot snapshot_of(const std::vector<TunnelSpec>& tunnels) {
  ResourceSnapshot s;
  s.vpcs.push_back(Vpc{"vpc-00000001", "vpc", {cidr("10.0.0.0/8")}, "rtb-00000001", 0});
  int n = 0;
  for (const TunnelSpec& t : tunnels) {
    ++n;
    VpnGateway g;
    g.id = "vpngw-" + std::to_string(n);
    g.name = g.id;
    g.vpc_id = "vpc-00000001";
    g.public_ip = t.gateway;
    g.status = ResourceStatus::running;
    s.gateways.push_back(g);
    CustomerGateway c;
    c.id = "cgw-" + std::to_string(n);
    c.name = c.id;
    c.public_ip = t.peer;
    s.customer_gateways.push_back(c);
    Tunnel tunnel;
    tunnel.id = t.id;
    tunnel.name = "tunnel" + std::to_string(n);
    tunnel.gateway_id = g.id;
    tunnel.customer_gateway_id = c.id;
    tunnel.psk = t.psk;
    tunnel.spd = t.spd;
    tunnel.ike = t.ike;
    tunnel.ipsec = t.ipsec;
    tunnel.dpd = t.dpd;
    tunnel.start_action = t.start;
    tunnel.status = ResourceStatus::running;
    s.tunnels.push_back(tunnel);
  }
  return s;
}

Side::Side(std::string n, Ipv4Addr address, uint32_t first_spi, uint64_t seed,
           EngineSettings settings)
    : name(std::move(n)),
      ip(address),
      installer(first_spi),
      random(seed),
      engine(IkeEngine::Deps{sender, installer, observer, random}, settings) {}

EnginePair::EnginePair(EngineSettings settings, bool b_behind_nat)
    : a("a", a_ip(), 0x1000, 1, settings),
      b("b", b_behind_nat ? ip("198.18.0.2") : b_ip(), 0x2000, 2, settings),
      nat_(b_behind_nat) {
  now = TimePoint{} + std::chrono::hours(1);
}

Ipv4Addr EnginePair::a_ip() { return ip("192.0.2.1"); }
Ipv4Addr EnginePair::b_ip() { return ip("198.51.100.1"); }
Ipv4Addr EnginePair::nat_ip() { return ip("203.0.113.5"); }

TunnelSpec EnginePair::a_tunnel() const {
  TunnelSpec t;
  t.gateway = a_ip();
  t.peer = b_seen_ip();
  t.spd = {SpdRule{cidr("10.1.0.0/24"), {cidr("172.16.0.0/24"), cidr("172.16.1.0/24")}}};
  return t;
}

TunnelSpec EnginePair::b_tunnel() const {
  TunnelSpec t;
  t.gateway = b.ip;
  t.peer = a_ip();
  t.spd = {SpdRule{cidr("172.16.0.0/24"), {cidr("10.1.0.0/24")}},
           SpdRule{cidr("172.16.1.0/24"), {cidr("10.1.0.0/24")}}};
  t.start = StartAction::respond;
  if (nat_) t.ike.local_id.value = nat_ip().str();  // its identity: the public address
  return t;
}

void EnginePair::deliver(bool from_a, Datagram d) {
  Datagram in;
  if (from_a) {
    in.remote = d.local;
    in.local = d.remote;
    if (nat_) {
      in.local.address = b.ip;
      in.local.port = d.remote.port == kNatPort4500 ? 4500 : d.remote.port == kNatPort500 ? 500 : d.remote.port;
    }
  } else {
    in.local = d.remote;
    in.remote = d.local;
    if (nat_) {
      in.remote.address = nat_ip();
      in.remote.port = d.local.port == 4500 ? kNatPort4500 : kNatPort500;
    }
  }
  in.bytes = std::move(d.bytes);
  (from_a ? b : a).engine.on_datagram(in, now);
}

int EnginePair::pump(const Filter& filter, int limit) {
  int moved = 0;
  while (moved < limit && (!a.sender.out.empty() || !b.sender.out.empty())) {
    for (bool from_a : {true, false}) {
      auto& queue = (from_a ? a : b).sender.out;
      if (queue.empty()) continue;
      Datagram d = std::move(queue.front());
      queue.pop_front();
      ++moved;
      if (filter && !filter(from_a, d)) continue;
      deliver(from_a, std::move(d));
    }
  }
  return moved;
}

void EnginePair::advance(std::chrono::milliseconds by) { now += by; }

void EnginePair::tick() {
  a.engine.tick(now);
  b.engine.tick(now);
}

std::string hex(const uint8_t* data, size_t size) {
  std::string out;
  char buf[3];
  for (size_t i = 0; i < size; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", data[i]);
    out += buf;
  }
  return out;
}

}  // namespace vpngw::ike::test
