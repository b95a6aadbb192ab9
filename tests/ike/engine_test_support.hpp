// Two IkeEngine objects in one process, as strongSwan's exchange_test_helper
// does it: a fake network that moves datagrams between them (with hooks to
// drop, capture or NAT-rewrite them), a recording SaInstaller, a recording
// observer, a deterministic RandomSource and a hand-driven clock.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "control/model.hpp"
#include "ike/engine/engine.hpp"

namespace vpngw::ike::test {

class FakeSender final : public PacketSender {
 public:
  void send(const Datagram& d) override { out.push_back(d); }
  void send_keepalive(const Endpoint& local, const Endpoint& remote) override {
    keepalives.push_back({local, remote});
  }
  std::deque<Datagram> out;
  std::vector<std::pair<Endpoint, Endpoint>> keepalives;
};

class FakeInstaller final : public SaInstaller {
 public:
  explicit FakeInstaller(uint32_t first_spi) : next_spi_(first_spi) {}
  uint32_t allocate_spi() override { return next_spi_++; }
  bool add_inbound(const std::string& tunnel, const dataplane::SaParams& p, std::string*) override {
    inbound[p.spi] = p;
    calls.push_back("add_inbound " + tunnel + " " + std::to_string(p.spi));
    return true;
  }
  // One outbound SA per (tunnel, SPD pair), as the dataplane's slots.
  bool set_outbound(const std::string& tunnel, const std::vector<SpdPair>& pairs,
                    const dataplane::SaParams& p, std::string*) override {
    std::string list;
    for (const SpdPair& pair : pairs) {
      by_pair[{tunnel, pair}] = p;
      list += " " + pair.str();
    }
    refresh(tunnel);
    calls.push_back("set_outbound " + tunnel + " " + std::to_string(p.spi));
    pair_calls.push_back("set_outbound " + std::to_string(p.spi) + list);
    return true;
  }
  void remove_inbound(const std::string& tunnel, uint32_t spi) override {
    inbound.erase(spi);
    calls.push_back("remove_inbound " + tunnel + " " + std::to_string(spi));
  }
  void remove_outbound(const std::string& tunnel, const std::vector<SpdPair>& pairs,
                       uint32_t spi) override {
    for (const SpdPair& pair : pairs) {
      auto it = by_pair.find({tunnel, pair});
      if (it != by_pair.end() && it->second.spi == spi) {
        by_pair.erase(it);
        outbound_gaps++;  // the pair has no outbound SA now
      }
    }
    refresh(tunnel);
    calls.push_back("remove_outbound " + tunnel + " " + std::to_string(spi));
  }
  // The outbound SA of one pair (null when none).
  const dataplane::SaParams* outbound_of(const std::string& tunnel, const SpdPair& pair) const {
    auto it = by_pair.find({tunnel, pair});
    return it == by_pair.end() ? nullptr : &it->second;
  }
  SaUsage inbound_usage(const std::string&, uint32_t spi) override { return usage[spi]; }

  std::map<uint32_t, dataplane::SaParams> inbound;
  // Per tunnel: the outbound SA of its first pair that has one (tests of
  // one-CHILD_SA tunnels read this).
  std::map<std::string, dataplane::SaParams> outbound;
  std::map<std::pair<std::string, SpdPair>, dataplane::SaParams> by_pair;
  std::vector<std::string> pair_calls;
  std::map<uint32_t, SaUsage> usage;
  std::vector<std::string> calls;
  int outbound_gaps = 0;

 private:
  void refresh(const std::string& tunnel) {
    outbound.erase(tunnel);
    for (const auto& [key, params] : by_pair)
      if (key.first == tunnel) {
        outbound[tunnel] = params;
        break;
      }
  }
  uint32_t next_spi_;
};

class FakeObserver final : public TunnelObserver {
 public:
  struct Event {
    std::string tunnel;
    ConnectionStatus status;
    std::string reason;
  };
  void on_connection(const std::string& tunnel, ConnectionStatus s, const std::string& r) override {
    events.push_back({tunnel, s, r});
  }
  void on_log(const std::string& tunnel, const std::string& line) override {
    logs.push_back(tunnel + ": " + line);
  }
  std::optional<ConnectionStatus> last() const {
    if (events.empty()) return std::nullopt;
    return events.back().status;
  }
  std::string last_reason() const { return events.empty() ? "" : events.back().reason; }
  bool logged(const std::string& part) const {
    for (const std::string& l : logs)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }
  std::vector<Event> events;
  std::vector<std::string> logs;
};

// xorshift64*: the same bytes every run.
class DeterministicRandom final : public RandomSource {
 public:
  explicit DeterministicRandom(uint64_t seed) : state_(seed) {}
  void fill(std::span<uint8_t> out) override {
    for (uint8_t& b : out) {
      state_ ^= state_ >> 12;
      state_ ^= state_ << 25;
      state_ ^= state_ >> 27;
      b = static_cast<uint8_t>((state_ * 0x2545F4914F6CDD1DULL) >> 56);
    }
  }

 private:
  uint64_t state_;
};

struct TunnelSpec {
  std::string id = "vpnx-00000001";
  Ipv4Addr gateway;
  Ipv4Addr peer;
  std::vector<SpdRule> spd;
  std::string psk = "secret-psk";
  IkePolicy ike;
  IpsecPolicy ipsec;
  DpdSettings dpd;
  StartAction start = StartAction::start;
};

ResourceSnapshot snapshot_of(const std::vector<TunnelSpec>& tunnels);

struct Side {
  Side(std::string name, Ipv4Addr ip, uint32_t first_spi, uint64_t seed, EngineSettings settings);
  std::string name;
  Ipv4Addr ip;
  FakeSender sender;
  FakeInstaller installer;
  FakeObserver observer;
  DeterministicRandom random;
  IkeEngine engine;
};

// Two engines, "a" (192.0.2.1) and "b" (198.51.100.1, or 198.18.0.2 behind
// a NAT whose public address is 203.0.113.5).
class EnginePair {
 public:
  explicit EnginePair(EngineSettings settings = {}, bool b_behind_nat = false);

  static Ipv4Addr a_ip();
  static Ipv4Addr b_ip();       // b's own address
  static Ipv4Addr nat_ip();     // b as a sees it when NATed
  Ipv4Addr b_seen_ip() const { return nat_ ? nat_ip() : b_ip(); }

  // The default pair of tunnels: a's to b and b's to a, with mirrored SPDs.
  TunnelSpec a_tunnel() const;
  TunnelSpec b_tunnel() const;

  // Moves datagrams until both queues are empty (or `limit` moved).
  // `filter` may drop (return false) or modify each datagram; `from_a`
  // tells the direction.
  using Filter = std::function<bool(bool from_a, Datagram&)>;
  int pump(const Filter& filter = {}, int limit = 100);
  // Delivers one datagram sent by a (from_a) or b to the other side.
  void deliver(bool from_a, Datagram d);

  void advance(std::chrono::milliseconds by);
  void tick();

  TimePoint now{};
  Side a;
  Side b;

 private:
  bool nat_;
};

std::string hex(const uint8_t* data, size_t size);

}  // namespace vpngw::ike::test
