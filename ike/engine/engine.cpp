// IkeEngine's public entry points: configuration, datagrams, dataplane
// events, the clock, status. The work is in engine_dispatch.cpp,
// engine_lifecycle.cpp and engine_timers.cpp (engine_impl.hpp); exchanges
// live in tasks/, the message-ID windows in task_manager, per-SA state in
// ike_sa.
#include "ike/engine/engine.hpp"

#include <algorithm>

#include "ike/engine/child_sa_params.hpp"
#include "ike/engine/engine_impl.hpp"
#include "ike/engine/task_manager.hpp"
#include "ike/engine/tasks/child_create.hpp"
#include "ike/engine/traffic_selectors.hpp"

namespace vpngw::ike {

namespace {

int64_t seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

}  // namespace

IkeEngine::IkeEngine(Deps deps, EngineSettings settings)
    : impl_(std::make_unique<Impl>(deps, settings)) {}

IkeEngine::~IkeEngine() = default;

void IkeEngine::configure(const ResourceSnapshot& state, TimePoint now) {
  Impl& m = *impl_;
  EngineContext ctx = m.context(now);
  std::vector<TunnelConfig> configs = tunnel_configs(state);
  for (auto it = m.tunnels.begin(); it != m.tunnels.end();) {
    bool kept = std::any_of(configs.begin(), configs.end(),
                            [&](const TunnelConfig& c) { return c.tunnel_id == it->first; });
    if (kept) {
      ++it;
      continue;
    }
    m.log(it->first, "tunnel removed: deleting its SAs");
    m.close_tunnel_sas(ctx, it->first);
    it = m.tunnels.erase(it);
  }
  for (TunnelConfig& config : configs) {
    Connection* c = m.connection(config.tunnel_id);
    if (c == nullptr) {
      Connection fresh;
      fresh.config = std::move(config);
      c = &m.tunnels.emplace(fresh.config.tunnel_id, std::move(fresh)).first->second;
      if (c->initiates()) m.initiate(ctx, *c);
      continue;
    }
    if (c->config == config) continue;
    m.log(c->config.tunnel_id, "configuration changed: reconnecting");
    m.close_tunnel_sas(ctx, c->config.tunnel_id);
    c->config = std::move(config);
    c->attempts = 0;
    c->retry_at.reset();
    c->status.reset();
    if (c->initiates()) m.initiate(ctx, *c);
  }
  m.remove_dead();
}

void IkeEngine::on_datagram(const Datagram& datagram, TimePoint now) {
  Impl& m = *impl_;
  EngineContext ctx = m.context(now);
  m.counters.received++;
  auto header = read_header(datagram.bytes);
  if (!header) {
    m.counters.malformed++;
    return;
  }
  if (header->exchange == ExchangeType::ike_sa_init && !header->response) {
    if (header->spi_r != 0 || header->message_id != 0) {
      m.counters.malformed++;
      return;
    }
    m.on_init_request(ctx, datagram);
  } else {
    // The I flag says who sent it: the original initiator's messages carry
    // our SPI as spi_r (we are the responder), and the other way round.
    const uint64_t ours = header->initiator ? header->spi_r : header->spi_i;
    IkeSa* sa = m.find_sa(ours);
    if (sa == nullptr || sa->initiator == header->initiator || sa->state == IkeState::dead) {
      m.counters.unknown_spi++;
      if (!header->response) m.answer_invalid_ike_spi(now, datagram, *header);
      return;
    }
    m.on_sa_message(ctx, *sa, datagram, *header);
    m.settle(ctx, *sa);
  }
  m.remove_dead();
}

void IkeEngine::on_acquire(const std::string& tunnel_id, TimePoint now) {
  Impl& m = *impl_;
  EngineContext ctx = m.context(now);
  Connection* c = m.connection(tunnel_id);
  if (c == nullptr || c->config.respond_only() || c->ike_spi != 0) return;
  m.log(tunnel_id, "acquire: traffic for the tunnel, initiating");
  m.initiate(ctx, *c);
  m.remove_dead();
}

void IkeEngine::on_acquire(const std::string& tunnel_id, const SpdPair& pair, TimePoint now) {
  Impl& m = *impl_;
  EngineContext ctx = m.context(now);
  Connection* c = m.connection(tunnel_id);
  if (c == nullptr || c->config.respond_only()) return;
  IkeSa* sa = c->ike_spi != 0 ? m.find_sa(c->ike_spi) : nullptr;
  if (sa == nullptr) {
    m.log(tunnel_id, "acquire: traffic for " + pair.str() + ", initiating");
    m.initiate(ctx, *c, pair);
  } else if (sa->state == IkeState::established &&
             std::find(c->config.pairs.begin(), c->config.pairs.end(), pair) != c->config.pairs.end() &&
             !pair_covered(*sa, pair)) {
    if (m.request_pair(ctx, *sa, *c, pair))
      m.log(tunnel_id, "acquire: traffic for " + pair.str() + ", creating its CHILD_SA");
    m.settle(ctx, *sa);
  }
  m.remove_dead();
}

void IkeEngine::on_sa_expired(const std::string& tunnel_id, uint32_t spi, bool inbound, bool hard,
                              TimePoint now) {
  Impl& m = *impl_;
  EngineContext ctx = m.context(now);
  Connection* c = m.connection(tunnel_id);
  if (c == nullptr) return;
  IkeSa* sa = m.find_sa(c->ike_spi);
  if (sa == nullptr) return;
  auto it = std::find_if(sa->children.begin(), sa->children.end(), [&](const ChildSa& child) {
    return inbound ? child.spi_in == spi : child.spi_out == spi;
  });
  if (it == sa->children.end()) return;
  m.log(tunnel_id, std::string(hard ? "hard" : "soft") + " lifetime of " +
                       (inbound ? "inbound" : "outbound") + " SA " + std::to_string(spi) +
                       " reached");
  if (!hard && it->state == "installed") {
    it->rekey_at = now;  // the next tick starts the rekey
  } else if (hard) {
    const uint32_t spi_in = it->spi_in;
    uninstall_child(ctx, *sa, *it);
    sa->children.erase(it);
    m.child_lost(ctx, *sa, *c, spi_in);
    m.settle(ctx, *sa);
  }
  m.remove_dead();
}

void IkeEngine::tick(TimePoint now) {
  Impl& m = *impl_;
  EngineContext ctx = m.context(now);
  for (auto& [id, c] : m.tunnels) {
    if (c.retry_at && *c.retry_at <= now) {
      c.retry_at.reset();
      if (c.ike_spi == 0 || m.find_sa(c.ike_spi) == nullptr) m.initiate(ctx, c);
    }
  }
  for (auto& [spi, sa] : m.sas) {
    if (sa->state == IkeState::dead) continue;
    if (!sa->initiator && sa->state == IkeState::connecting &&
        now - sa->created_at > kHalfOpenTimeout) {
      sa_log(ctx, *sa, "half-open IKE_SA timed out");
      m.close_sa(ctx, *sa, false);
      continue;
    }
    on_timer(ctx, *sa);
    m.settle(ctx, *sa);
    if (sa->state == IkeState::dead) continue;
    m.sa_timers(ctx, *sa);
    m.settle(ctx, *sa);
  }
  m.remove_dead();
}

std::optional<TimePoint> IkeEngine::next_timer() const {
  std::optional<TimePoint> next;
  auto consider = [&](TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [id, c] : impl_->tunnels)
    if (c.retry_at) consider(*c.retry_at);
  for (const auto& [spi, sa] : impl_->sas) {
    if (auto t = impl_->sa_next_timer(*sa)) consider(*t);
    if (!sa->initiator && sa->state == IkeState::connecting)
      consider(sa->created_at + kHalfOpenTimeout);
  }
  return next;
}

std::optional<TunnelIkeStatus> IkeEngine::status(const std::string& tunnel_id,
                                                 TimePoint now) const {
  auto it = impl_->tunnels.find(tunnel_id);
  if (it == impl_->tunnels.end()) return std::nullopt;
  const Connection& c = it->second;
  TunnelIkeStatus s;
  s.attempts = c.attempts;
  s.last_error = c.last_error;
  auto sit = impl_->sas.find(c.ike_spi);
  const IkeSa* sa = (c.ike_spi != 0 && sit != impl_->sas.end()) ? sit->second.get() : nullptr;
  if (sa == nullptr) {
    bool failed = c.status && (*c.status == ConnectionStatus::phase1_failed ||
                               *c.status == ConnectionStatus::phase2_failed);
    s.ike_state = failed ? "failed" : "idle";
    return s;
  }
  s.ike_state = std::string(name_of(sa->state));
  s.initiator = sa->initiator;
  s.spi_i = sa->spi_i;
  s.spi_r = sa->spi_r;
  if (sa->keys) s.algorithms = describe(sa->suite);
  s.local = sa->local;
  s.remote = sa->remote;
  s.nat_local = sa->nat_local;
  s.nat_remote = sa->nat_remote;
  if (sa->state == IkeState::established) {
    s.established_s = seconds_between(sa->established_at, now);
    if (sa->rekey_at != TimePoint::max()) s.rekey_in_s = seconds_between(now, sa->rekey_at);
  }
  for (const ChildSa& child : sa->children) {
    ChildSaStatus cs;
    cs.state = child.state;
    cs.spi_in = child.spi_in;
    cs.spi_out = child.spi_out;
    cs.algorithms = describe(child.suite);
    for (const Cidr& cidr : cidrs_of(child.local_ts)) cs.local_ts.push_back(cidr.str());
    for (const Cidr& cidr : cidrs_of(child.remote_ts)) cs.remote_ts.push_back(cidr.str());
    for (const SpdPair& pair : child.pairs) cs.pairs.push_back(pair.str());
    cs.udp_encap = child.udp_encap;
    cs.established_s = seconds_between(child.installed_at, now);
    cs.rekey_in_s = seconds_between(now, child.rekey_at);
    cs.expires_in_s = seconds_between(now, child.expire_at);
    s.children.push_back(std::move(cs));
  }
  return s;
}

EngineCounters IkeEngine::counters() const { return impl_->counters; }

}  // namespace vpngw::ike
