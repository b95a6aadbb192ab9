#include "control/ike/ike_runtime.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "control/ike/ike_frames.hpp"

namespace vpngw::ike_glue {

namespace {

// A datagram whose next hop is not resolved yet waits this long for ARP;
// after that IKE's own retransmission takes over.
constexpr auto kArpWait = std::chrono::seconds(3);
constexpr size_t kMaxPending = 256;

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string endpoint_str(const ike::Endpoint& e) { return e.address.str() + ":" + std::to_string(e.port); }

Json child_json(const ike::ChildSaStatus& c) {
  return Json{{"state", c.state},
              {"spi_in", fmt::format("{:08x}", c.spi_in)},
              {"spi_out", fmt::format("{:08x}", c.spi_out)},
              {"algorithms", c.algorithms},
              {"local_ts", c.local_ts},
              {"remote_ts", c.remote_ts},
              {"pairs", c.pairs},
              {"udp_encap", c.udp_encap},
              {"established_s", c.established_s},
              {"rekey_in_s", c.rekey_in_s},
              {"expires_in_s", c.expires_in_s}};
}

}  // namespace

IkeRuntime::IkeRuntime(ResourceService& service, DataplaneRuntime& dataplane)
    : service_(service), dataplane_(dataplane), logs_(unix_ms_now) {
  engine_ = std::make_unique<ike::IkeEngine>(ike::IkeEngine::Deps{*this, *this, *this, random_});
}

IkeRuntime::~IkeRuntime() = default;

void IkeRuntime::configure() {
  ResourceSnapshot state = service_.state();
  // Manually keyed tunnels (any static SA) carry no IKE; IKEv1 is not
  // negotiated yet, so those tunnels stay connecting.
  std::set<std::string> manual;
  for (const auto& sa : state.static_sas) manual.insert(sa.tunnel_id);
  std::vector<std::string> live;
  for (const auto& t : state.tunnels) live.push_back(t.id);
  std::erase_if(state.tunnels, [&](const Tunnel& t) {
    return manual.count(t.id) != 0 || t.ike.version != IkeVersion::ikev2;
  });
  engine_->configure(state, ike::EngineClock::now());
  logs_.retain(live);
  apply_connection_events();
}

void IkeRuntime::poll() {
  dataplane_.poll_control([this](std::span<const uint8_t> frame) {
    ++frames_in_;
    auto received = parse_ike_frame(frame);
    if (!received) {
      ++frames_bad_;
      return;
    }
    if (received->keepalive) {
      ++keepalives_in_;
      return;
    }
    engine_->on_datagram(received->datagram, ike::EngineClock::now());
  });
  const auto now = ike::EngineClock::now();
  for (const auto& a : dataplane_.take_acquires())
    engine_->on_acquire(a.tunnel_id, ike::SpdPair{a.pair.local, a.pair.peer}, now);
  for (const auto& e : dataplane_.take_sa_events())
    engine_->on_sa_expired(e.tunnel_id, e.spi, e.inbound, e.hard, now);
  engine_->tick(now);
  flush_pending(now);
  apply_connection_events();
}

bool IkeRuntime::transmit(const ike::Datagram& d, bool keepalive) {
  auto src = dataplane_.public_mac();
  auto dst = dataplane_.public_mac_toward(d.remote.address);
  if (!src || !dst) return false;
  const ike::Bytes frame = keepalive ? build_keepalive_frame(d.local, d.remote, *src, *dst, ip_id_++)
                                     : build_ike_frame(d, *src, *dst, ip_id_++);
  if (dataplane_.send_public_frame(frame)) ++frames_out_;
  return true;  // a full TX ring drops it like a wire would: IKE retransmits
}

void IkeRuntime::flush_pending(ike::TimePoint now) {
  std::erase_if(pending_, [&](const PendingFrame& p) {
    if (transmit(p.datagram, p.keepalive)) return true;
    if (now < p.give_up) return false;
    ++frames_unresolved_;
    spdlog::debug("ike: no ARP answer for the next hop toward {}, datagram dropped", p.datagram.remote.address.str());
    return true;
  });
}

void IkeRuntime::send(const ike::Datagram& datagram) {
  if (transmit(datagram, false)) return;
  if (pending_.size() < kMaxPending)
    pending_.push_back({datagram, false, ike::EngineClock::now() + kArpWait});
  else
    ++frames_unresolved_;
}

void IkeRuntime::send_keepalive(const ike::Endpoint& local, const ike::Endpoint& remote) {
  ike::Datagram d{local, remote, {}};
  if (!transmit(d, true)) ++frames_unresolved_;  // the next keepalive tries again
}

uint32_t IkeRuntime::allocate_spi() {
  for (;;) {
    const uint32_t spi = ike::random_esp_spi(random_);
    if (!dataplane_.inbound_spi_in_use(spi)) return spi;
  }
}

bool IkeRuntime::add_inbound(const std::string& tunnel_id, const dataplane::SaParams& params, std::string* error) {
  dataplane::SaParams p = params;
  p.direction = dataplane::SaDirection::inbound;
  if (!dataplane_.install_negotiated(tunnel_id, {}, p, error)) {
    spdlog::error("ike: tunnel {}: inbound SA {:08x} not installed: {}", tunnel_id, p.spi, *error);
    return false;
  }
  return true;
}

namespace {
std::vector<DataplaneRuntime::SpdPairRef> pair_refs(const std::vector<ike::SpdPair>& pairs) {
  std::vector<DataplaneRuntime::SpdPairRef> out;
  for (const auto& p : pairs) out.push_back({p.local, p.peer});
  return out;
}
}  // namespace

bool IkeRuntime::set_outbound(const std::string& tunnel_id, const std::vector<ike::SpdPair>& pairs,
                              const dataplane::SaParams& params, std::string* error) {
  dataplane::SaParams p = params;
  p.direction = dataplane::SaDirection::outbound;
  if (!dataplane_.install_negotiated(tunnel_id, pair_refs(pairs), p, error)) {
    spdlog::error("ike: tunnel {}: outbound SA {:08x} not installed: {}", tunnel_id, p.spi, *error);
    return false;
  }
  return true;
}

void IkeRuntime::remove_inbound(const std::string& tunnel_id, uint32_t spi) {
  dataplane_.remove_negotiated(tunnel_id, dataplane::SaDirection::inbound, spi);
}

void IkeRuntime::remove_outbound(const std::string& tunnel_id, const std::vector<ike::SpdPair>& pairs,
                                 uint32_t spi) {
  // Pairs an SA no longer serves are left to the SA that replaced it there.
  dataplane_.remove_negotiated(tunnel_id, dataplane::SaDirection::outbound, spi, pair_refs(pairs));
}

ike::SaUsage IkeRuntime::inbound_usage(const std::string& tunnel_id, uint32_t spi) {
  const auto [packets, bytes] = dataplane_.negotiated_usage(tunnel_id, dataplane::SaDirection::inbound, spi);
  return {packets, bytes};
}

void IkeRuntime::on_connection(const std::string& tunnel_id, ConnectionStatus status, const std::string& reason) {
  events_.push_back({tunnel_id, status, reason});
}

void IkeRuntime::on_log(const std::string& tunnel_id, const std::string& line) {
  spdlog::info("ike: {}: {}", tunnel_id, line);
  logs_.add(tunnel_id, line);
}

void IkeRuntime::apply_connection_events() {
  // Status changes commit to the store and notify observers, which call
  // configure() again: so they run here, after the engine has returned.
  while (!events_.empty()) {
    std::vector<ConnectionEvent> batch;
    batch.swap(events_);
    for (const auto& e : batch) {
      const Tunnel* t = nullptr;
      for (const auto& x : service_.state().tunnels)
        if (x.id == e.tunnel_id) t = &x;
      if (!t || (t->connection == e.status && t->connection_reason == e.reason)) continue;
      if (auto err = service_.set_connection_status(e.tunnel_id, e.status, e.reason))
        spdlog::warn("ike: tunnel {}: status not recorded: {}", e.tunnel_id, err->message);
    }
  }
}

Json IkeRuntime::tunnel_ike(const std::string& tunnel_id) const {
  auto s = engine_->status(tunnel_id, ike::EngineClock::now());
  if (!s) return nullptr;
  Json children = Json::array();
  for (const auto& c : s->children) children.push_back(child_json(c));
  return Json{{"state", s->ike_state},
              {"role", s->initiator ? "initiator" : "responder"},
              {"spi_i", fmt::format("{:016x}", s->spi_i)},
              {"spi_r", fmt::format("{:016x}", s->spi_r)},
              {"algorithms", s->algorithms},
              {"local", endpoint_str(s->local)},
              {"remote", endpoint_str(s->remote)},
              {"nat_local", s->nat_local},
              {"nat_remote", s->nat_remote},
              {"established_s", s->established_s},
              {"rekey_in_s", s->rekey_in_s},
              {"attempts", s->attempts},
              {"last_error", s->last_error},
              {"child_sas", children}};
}

Json IkeRuntime::tunnel_logs(const std::string& tunnel_id, size_t limit) const {
  Json lines = Json::array();
  for (const auto& e : logs_.lines(tunnel_id, limit))
    lines.push_back({{"time", format_utc(e.unix_ms)}, {"seq", e.seq}, {"line", e.line}});
  return lines;
}

Json IkeRuntime::counters() const {
  const ike::EngineCounters c = engine_->counters();
  return Json{{"received", c.received},       {"sent", c.sent},
              {"retransmits", c.retransmits}, {"malformed", c.malformed},
              {"auth_failed", c.auth_failed}, {"no_proposal", c.no_proposal},
              {"unknown_spi", c.unknown_spi}, {"cookies_sent", c.cookies_sent},
              {"invalid_spi_sent", c.invalid_spi_sent}, {"invalid_spi_suppressed", c.invalid_spi_suppressed},
              {"frames_in", frames_in_},      {"frames_bad", frames_bad_},
              {"keepalives_in", keepalives_in_}, {"frames_out", frames_out_},
              {"frames_unresolved", frames_unresolved_}};
}

}  // namespace vpngw::ike_glue
