// IkeEngine: the tunnels (Connection) and IKE SAs of the appliance, and the
// dispatch of datagrams and timers to them. Exchanges live in tasks/, the
// message-ID windows in task_manager, per-SA state in ike_sa.
#include "ike/engine/engine.hpp"

#include <algorithm>
#include <map>

#include "ike/crypto/prf.hpp"
#include "ike/crypto/sk_payload.hpp"
#include "ike/engine/connection.hpp"
#include "ike/engine/engine_context.hpp"
#include "ike/engine/ike_sa.hpp"
#include "ike/engine/message_log.hpp"
#include "ike/engine/task_manager.hpp"
#include "ike/engine/tasks/child_create.hpp"
#include "ike/engine/tasks/child_rekey.hpp"
#include "ike/engine/tasks/ike_auth.hpp"
#include "ike/engine/tasks/ike_init.hpp"
#include "ike/engine/tasks/ike_rekey.hpp"
#include "ike/engine/tasks/informational.hpp"
#include "ike/engine/traffic_selectors.hpp"
#include "ike/engine/child_sa_params.hpp"

namespace vpngw::ike {

namespace {

// A responder SA that never completes IKE_AUTH is dropped after this.
constexpr std::chrono::seconds kHalfOpenTimeout{30};

int64_t seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

}  // namespace

struct IkeEngine::Impl {
  Impl(Deps d, EngineSettings s) : deps(d), settings(s), cookie_secret(32) {
    deps.random.fill(cookie_secret.span());
  }

  Deps deps;
  EngineSettings settings;
  EngineCounters counters;
  // RFC 7296 §2.6: COOKIE = prf(secret, Ni | IPi | SPIi), so a responder
  // under load keeps no state for initiators that do not return it.
  SecretBytes cookie_secret;
  std::map<std::string, Connection> tunnels;
  std::map<uint64_t, std::unique_ptr<IkeSa>> sas;  // by our SPI

  EngineContext context(TimePoint now) {
    return EngineContext{deps.sender, deps.installer, deps.observer, deps.random,
                         settings,    counters,       now};
  }

  Connection* connection(const std::string& tunnel_id) {
    auto it = tunnels.find(tunnel_id);
    return it == tunnels.end() ? nullptr : &it->second;
  }

  const TunnelConfig* config_of(const IkeSa& sa) {
    Connection* c = connection(sa.tunnel_id);
    return c == nullptr ? nullptr : &c->config;
  }

  IkeSa* find_sa(uint64_t our_spi) {
    auto it = sas.find(our_spi);
    return it == sas.end() ? nullptr : it->second.get();
  }

  void log(const std::string& tunnel_id, const std::string& line) {
    deps.observer.on_log(tunnel_id, line);
  }

  void set_status(Connection& c, ConnectionStatus status, const std::string& reason) {
    if (c.status == status && c.reason == reason) return;
    c.status = status;
    c.reason = reason;
    deps.observer.on_connection(c.config.tunnel_id, status, reason);
  }

  // Lines an SA logged before it knew its tunnel: to the tunnel now, or to
  // every candidate when it never learned which one it was.
  // `final`: the SA is going away.
  void flush_log(IkeSa& sa, bool final) {
    if (sa.pending_log.empty()) return;
    std::vector<std::string> targets;
    if (!sa.tunnel_id.empty())
      targets.push_back(sa.tunnel_id);
    else if (final)
      targets = sa.candidates;
    else
      return;  // kept until IKE_AUTH names the tunnel
    for (const std::string& t : targets)
      for (const std::string& line : sa.pending_log) log(t, line);
    sa.pending_log.clear();
  }

  std::vector<const TunnelConfig*> candidates(Ipv4Addr local, Ipv4Addr remote) {
    std::vector<const TunnelConfig*> exact, any;
    for (const auto& [id, c] : tunnels) {
      if (c.config.gateway_ip != local) continue;
      if (c.config.peer_ip == remote) exact.push_back(&c.config);
      if (c.config.peer_ip.is_unspecified()) any.push_back(&c.config);
    }
    return exact.empty() ? any : exact;
  }

  void initiate(EngineContext& ctx, Connection& c) {
    auto owned = std::make_unique<IkeSa>();
    IkeSa& sa = *owned;
    sa.initiator = true;
    while (sa.spi_i == 0 || sas.count(sa.spi_i) != 0) sa.spi_i = random_ike_spi(ctx.random);
    sa.tunnel_id = c.config.tunnel_id;
    sa.local = Endpoint{c.config.gateway_ip, 500};
    sa.remote = Endpoint{c.config.peer_ip, 500};
    sa.created_at = ctx.now;
    sa.last_received = ctx.now;
    sas[sa.spi_i] = std::move(owned);
    c.ike_spi = sa.spi_i;
    c.retry_at.reset();
    sa_log(ctx, sa, "initiating IKE_SA " + c.config.name + " to " + c.config.peer_ip.str());
    if (!c.status || *c.status == ConnectionStatus::connecting || *c.status == ConnectionStatus::connected)
      set_status(c, ConnectionStatus::connecting, "");
    queue_task(ctx, sa, c.config, std::make_unique<IkeInitTask>());
    queue_task(ctx, sa, c.config, std::make_unique<IkeAuthTask>());
    settle(ctx, sa);
  }

  // Closes an SA: its CHILD_SAs leave the dataplane; an authenticated SA
  // tells the peer with a Delete (sent once: the SA is gone either way).
  void close_sa(EngineContext& ctx, IkeSa& sa, bool send_delete) {
    if (sa.state == IkeState::dead) return;
    for (const ChildSa& child : sa.children) uninstall_child(ctx, sa, child);
    sa.children.clear();
    for (const RetiringInbound& r : sa.retiring) ctx.installer.remove_inbound(sa.tunnel_id, r.spi);
    sa.retiring.clear();
    if (send_delete && sa.keys && sa.state == IkeState::established) {
      DeletePayload d;
      d.protocol = ProtocolId::ike;
      d.spi_size = 0;
      // Sent once, past any request still in flight: the SA is gone anyway.
      const uint32_t id = sa.outstanding ? sa.outstanding->message_id + 1 : sa.next_message_id;
      Header h = make_header(sa, ExchangeType::informational, false, id);
      Message m{h, {d}};
      send_message(ctx, sa, m, encode(ctx, sa, h, m.payloads));
    }
    sa.state = IkeState::dead;
    sa.outstanding.reset();
    sa.active.reset();
    sa.queue.clear();
    flush_log(sa, true);
    if (Connection* c = connection(sa.tunnel_id); c != nullptr && c->ike_spi == sa.our_spi())
      c->ike_spi = 0;
  }

  void close_tunnel_sas(EngineContext& ctx, const std::string& tunnel_id) {
    for (auto& [spi, sa] : sas)
      if (sa->tunnel_id == tunnel_id) close_sa(ctx, *sa, true);
  }

  void schedule_retry(EngineContext& ctx, Connection& c, int phase, const std::string& reason) {
    c.last_error = reason;
    c.attempts++;
    if (c.attempts <= settings.negotiation_retries &&
        (!c.status || *c.status == ConnectionStatus::connecting ||
         *c.status == ConnectionStatus::connected)) {
      log(c.config.tunnel_id, "negotiation failed: " + reason + "; retry " +
                                  std::to_string(c.attempts) + " of " +
                                  std::to_string(settings.negotiation_retries));
      c.retry_at = ctx.now + settings.retransmit_timeout;
      set_status(c, ConnectionStatus::connecting, "");
      return;
    }
    log(c.config.tunnel_id, "negotiation failed: " + reason + "; retrying every " +
                                std::to_string(settings.failed_retry_interval.count()) + " s");
    c.retry_at = ctx.now + settings.failed_retry_interval;
    set_status(c, phase == 2 ? ConnectionStatus::phase2_failed : ConnectionStatus::phase1_failed,
               reason);
  }

  // Acts on what the last call into an SA's tasks produced.
  void settle(EngineContext& ctx, IkeSa& sa) {
    if (sa.rekeyed_to) {
      // The successor carries the tunnel now; the rekey's initiator deletes
      // the old SA (the responder waits for that Delete).
      std::unique_ptr<IkeSa> next = std::move(sa.rekeyed_to);
      const uint64_t spi = next->our_spi();
      if (Connection* c = connection(sa.tunnel_id); c != nullptr && c->ike_spi == sa.our_spi())
        c->ike_spi = spi;
      const bool we_initiated = next->initiator;
      sas[spi] = std::move(next);
      if (we_initiated)
        if (Connection* c = connection(sa.tunnel_id))
          queue_task(ctx, sa, c->config, std::make_unique<DeleteIkeTask>());
    }
    if (sa.child_up) {
      sa.child_up = false;
      if (Connection* c = connection(sa.tunnel_id)) {
        // A newer IKE SA for the tunnel replaces the one before it.
        if (c->ike_spi != 0 && c->ike_spi != sa.our_spi())
          if (IkeSa* old = find_sa(c->ike_spi)) close_sa(ctx, *old, old->state == IkeState::established);
        c->ike_spi = sa.our_spi();
        c->attempts = 0;
        c->retry_at.reset();
        c->last_error.clear();
        c->last_alive = ctx.now;
        sa.last_keepalive = ctx.now;
        sa.rekey_at = ike_rekey_time(ctx, c->config);
        set_status(*c, ConnectionStatus::connected, "");
      }
    }
    if (sa.failure && sa.failure->dead_peer) {
      std::string reason = sa.failure->reason;
      sa.failure.reset();
      dead_peer(ctx, sa, reason);
      return;
    }
    if (sa.failure) {
      SaFailure f = *sa.failure;
      sa.failure.reset();
      const bool send_delete = sa.initiator && sa.state == IkeState::established;
      std::vector<std::string> targets =
          sa.tunnel_id.empty() ? sa.candidates : std::vector<std::string>{sa.tunnel_id};
      const bool initiator = sa.initiator;
      close_sa(ctx, sa, send_delete);
      for (const std::string& t : targets) {
        Connection* c = connection(t);
        if (c == nullptr) continue;
        if (initiator && c->initiates()) {
          schedule_retry(ctx, *c, f.phase, f.reason);
        } else {
          c->last_error = f.reason;
          log(t, "negotiation failed: " + f.reason);
          set_status(*c, f.phase == 2 ? ConnectionStatus::phase2_failed
                                      : ConnectionStatus::phase1_failed,
                     f.reason);
        }
      }
      return;
    }
    if (sa.peer_deleted || sa.children_deleted_by_peer) {
      const bool whole = sa.peer_deleted;
      sa.peer_deleted = sa.children_deleted_by_peer = false;
      Connection* c = connection(sa.tunnel_id);
      const bool current = c != nullptr && c->ike_spi == sa.our_spi();
      if (whole)
        close_sa(ctx, sa, false);
      else
        queue_task(ctx, sa, c != nullptr ? c->config : TunnelConfig{}, std::make_unique<DeleteIkeTask>());
      if (current) {
        log(c->config.tunnel_id, whole ? "peer deleted the IKE SA" : "peer deleted the CHILD_SA");
        set_status(*c, ConnectionStatus::connecting, "");
        if (c->initiates()) c->retry_at = ctx.now + settings.retransmit_timeout;
      }
      return;
    }
    if (sa.state == IkeState::dead) close_sa(ctx, sa, false);
  }

  // DPD found the peer dead (or a request to it went unanswered): the SAs
  // go, and the tunnel's DPD action decides what follows.
  void dead_peer(EngineContext& ctx, IkeSa& sa, const std::string& why) {
    Connection* c = connection(sa.tunnel_id);
    const bool current = c != nullptr && c->ike_spi == sa.our_spi();
    sa_log(ctx, sa, "peer " + describe(sa.remote) + " is dead: " + why);
    close_sa(ctx, sa, false);
    if (!current) return;
    const DpdAction action = c->config.dpd.action;
    log(c->config.tunnel_id, "DPD action " + std::string(name_of(action)));
    c->last_error = "peer is dead: " + why;
    switch (action) {
      case DpdAction::clear:
        set_status(*c, ConnectionStatus::phase1_failed, c->last_error + " (DPD action clear)");
        break;
      case DpdAction::hold:
        // Traffic for the tunnel (on_acquire) brings it back.
        set_status(*c, ConnectionStatus::connecting, "");
        break;
      case DpdAction::restart:
        set_status(*c, ConnectionStatus::connecting, "");
        if (!c->config.respond_only()) initiate(ctx, *c);
        break;
    }
  }

  // The timers of an established SA: CHILD_SA rekeys, the responder's
  // registered outbound SA, retiring inbound SAs, DPD and NAT keepalives.
  void sa_timers(EngineContext& ctx, IkeSa& sa) {
    if (sa.state != IkeState::established) return;
    Connection* c = connection(sa.tunnel_id);
    if (c == nullptr) return;
    const TunnelConfig& config = c->config;
    for (auto it = sa.retiring.begin(); it != sa.retiring.end();) {
      if (it->remove_at <= ctx.now) {
        ctx.installer.remove_inbound(sa.tunnel_id, it->spi);
        sa_log(ctx, sa, "removed inbound ESP SA " + hex_spi(it->spi));
        it = sa.retiring.erase(it);
      } else {
        ++it;
      }
    }
    for (ChildSa& child : sa.children)
      if (child.pending_outbound && child.outbound_deadline <= ctx.now)
        install_pending_outbound(ctx, sa, config, child);
    // A CHILD_SA past its hard lifetime (its rekeys failed) is gone.
    for (auto it = sa.children.begin(); it != sa.children.end();) {
      if (it->expire_at > ctx.now) {
        ++it;
        continue;
      }
      sa_log(ctx, sa, "CHILD_SA with SPIs " + hex_spi(it->spi_in) + "_i " + hex_spi(it->spi_out) +
                          "_o expired (hard lifetime)");
      uninstall_child(ctx, sa, *it);
      it = sa.children.erase(it);
    }
    if (sa.children.empty() && c->ike_spi == sa.our_spi()) {
      close_sa(ctx, sa, true);
      set_status(*c, ConnectionStatus::connecting, "");
      if (c->initiates()) c->retry_at = ctx.now;
      return;
    }
    if (!sa.active && sa.queue.empty() && sa.rekey_at <= ctx.now && c->ike_spi == sa.our_spi()) {
      sa.rekey_at = TimePoint::max();
      queue_task(ctx, sa, config, std::make_unique<IkeRekeyTask>());
    }
    if (!sa.active && sa.queue.empty()) {
      for (ChildSa& child : sa.children) {
        if (rekey_due(ctx, child)) {
          queue_task(ctx, sa, config, std::make_unique<ChildRekeyTask>(child.spi_in));
          break;
        }
      }
    }
    if (sa.nat_local && ctx.now - sa.last_keepalive >= settings.nat_keepalive) {
      deps.sender.send_keepalive(sa.local, sa.remote);
      sa.last_keepalive = ctx.now;
    }
    // DPD: inbound ESP counts as a sign of life, as does any IKE message.
    for (ChildSa& child : sa.children) {
      SaUsage usage = ctx.installer.inbound_usage(sa.tunnel_id, child.spi_in);
      if (usage.packets != child.last_inbound_packets) {
        child.last_inbound_packets = usage.packets;
        c->last_alive = ctx.now;
      }
    }
    if (config.dpd.delay_s == 0 || c->ike_spi != sa.our_spi()) return;
    const TimePoint alive = std::max(c->last_alive, sa.last_received);
    if (sa.dpd_sent_at && alive >= *sa.dpd_sent_at) sa.dpd_sent_at.reset();
    if (sa.dpd_sent_at) {
      if (ctx.now - *sa.dpd_sent_at >= std::chrono::seconds(config.dpd.timeout_s)) {
        sa.dpd_sent_at.reset();
        dead_peer(ctx, sa, "no answer to DPD within " + std::to_string(config.dpd.timeout_s) + " s");
      }
      return;
    }
    if (ctx.now - alive >= std::chrono::seconds(config.dpd.delay_s) && !sa.active && sa.queue.empty()) {
      sa_log(ctx, sa, "no traffic from the peer for " + std::to_string(config.dpd.delay_s) +
                          " s, sending DPD");
      sa.dpd_sent_at = ctx.now;
      queue_task(ctx, sa, config, std::make_unique<DpdTask>());
    }
  }

  std::optional<TimePoint> sa_next_timer(const IkeSa& sa) const {
    std::optional<TimePoint> next = ike::next_timer(sa);
    auto consider = [&](TimePoint t) {
      if (!next || t < *next) next = t;
    };
    if (sa.state != IkeState::established) return next;
    auto it = tunnels.find(sa.tunnel_id);
    if (it == tunnels.end()) return next;
    const Connection& c = it->second;
    for (const RetiringInbound& r : sa.retiring) consider(r.remove_at);
    if (c.ike_spi == sa.our_spi()) consider(sa.rekey_at);
    for (const ChildSa& child : sa.children) {
      consider(child.expire_at);
      if (child.pending_outbound) consider(child.outbound_deadline);
      if (child.state == "installed") consider(child.rekey_at);
    }
    if (sa.nat_local) consider(sa.last_keepalive + settings.nat_keepalive);
    if (c.config.dpd.delay_s > 0 && c.ike_spi == sa.our_spi()) {
      if (sa.dpd_sent_at)
        consider(*sa.dpd_sent_at + std::chrono::seconds(c.config.dpd.timeout_s));
      else
        consider(std::max(c.last_alive, sa.last_received) + std::chrono::seconds(c.config.dpd.delay_s));
    }
    return next;
  }

  void remove_dead() {
    for (auto it = sas.begin(); it != sas.end();) {
      if (it->second->state == IkeState::dead)
        it = sas.erase(it);
      else
        ++it;
    }
  }

  void send_stateless(EngineContext& /*ctx*/, const Datagram& to, const Message& request,
                      std::vector<Payload> payloads, const std::vector<std::string>& log_to) {
    Header h;
    h.spi_i = request.header.spi_i;
    h.spi_r = 0;
    h.exchange = request.header.exchange;
    h.response = true;
    h.message_id = request.header.message_id;
    Message m{h, std::move(payloads)};
    for (const std::string& t : log_to) log(t, "sending " + describe_message(m));
    counters.sent++;
    deps.sender.send(Datagram{to.local, to.remote, serialize_message(m)});
  }

  void on_init_request(EngineContext& ctx, const Datagram& dg) {
    auto parsed = parse_message(dg.bytes);
    if (!parsed) {
      counters.malformed++;
      return;
    }
    const Message& request = *parsed;
    for (auto& [spi, sa] : sas) {
      if (!sa->initiator && sa->spi_i == request.header.spi_i && sa->remote == dg.remote) {
        check_request(ctx, *sa, request);
        return;
      }
    }
    std::vector<const TunnelConfig*> cands = candidates(dg.local.address, dg.remote.address);
    if (!cands.empty() && !admit_half_open(ctx, dg, request)) return;
    std::vector<std::string> ids;
    for (const TunnelConfig* c : cands) ids.push_back(c->tunnel_id);
    const std::vector<std::string> received = {
        "received packet: from " + describe(dg.remote) + " to " + describe(dg.local) + " (" +
            std::to_string(dg.bytes.size()) + " bytes)",
        "parsed " + describe_message(request)};
    if (cands.empty()) {
      // No tunnel of this gateway talks to that address.
      NotifyPayload n;
      n.type = NotifyType::no_proposal_chosen;
      send_stateless(ctx, dg, request, {n}, {});
      return;
    }
    IkeInitAnswer answer = respond_ike_init(ctx, dg, request, cands);
    if (!answer.sa) {
      for (const std::string& t : ids) {
        for (const std::string& line : received) log(t, line);
        for (const std::string& line : answer.log) log(t, line);
      }
      bool refused = !answer.payloads.empty() &&
                     std::holds_alternative<NotifyPayload>(answer.payloads.front()) &&
                     std::get<NotifyPayload>(answer.payloads.front()).type ==
                         NotifyType::no_proposal_chosen;
      send_stateless(ctx, dg, request, std::move(answer.payloads), ids);
      if (refused && ids.size() == 1) {
        if (Connection* c = connection(ids.front())) {
          std::string reason = answer.log.empty() ? "no acceptable proposal" : answer.log.front();
          c->last_error = reason;
          set_status(*c, ConnectionStatus::phase1_failed, reason);
        }
      }
      return;
    }
    IkeSa& sa = *answer.sa;
    sas[sa.spi_r] = std::move(answer.sa);
    sa.pending_log.insert(sa.pending_log.begin(), received.begin(), received.end());
    flush_log(sa, false);
    send_response(ctx, sa, request, std::move(answer.payloads));
    if (!sa.tunnel_id.empty())
      if (Connection* c = connection(sa.tunnel_id); c != nullptr && !c->status)
        set_status(*c, ConnectionStatus::connecting, "");
  }

  Bytes cookie_for(const Datagram& dg, const Message& request) {
    const NoncePayload* nonce = request.find<NoncePayload>();
    Bytes seed;
    if (nonce != nullptr) seed = nonce->data;
    for (int i = 0; i < 4; ++i) seed.push_back(dg.remote.address.octet(i));
    for (int i = 0; i < 8; ++i) seed.push_back(static_cast<uint8_t>(request.header.spi_i >> (56 - 8 * i)));
    SecretBytes mac = Prf(Integrity::sha256)(cookie_secret, {seed});
    return Bytes(mac.data(), mac.data() + 16);
  }

  // Half-open SAs (responder, before IKE_AUTH): a cap per peer address,
  // and above cookie_threshold in all a COOKIE round trip first.
  bool admit_half_open(EngineContext& ctx, const Datagram& dg, const Message& request) {
    uint32_t total = 0, from_peer = 0;
    for (const auto& [spi, sa] : sas) {
      if (sa->initiator || sa->state != IkeState::connecting) continue;
      ++total;
      if (sa->remote.address == dg.remote.address) ++from_peer;
    }
    if (from_peer >= settings.half_open_per_peer) return false;  // dropped: the peer retransmits
    if (total < settings.cookie_threshold) return true;
    const Bytes cookie = cookie_for(dg, request);
    const NotifyPayload* got = request.payloads.empty()
                                   ? nullptr
                                   : std::get_if<NotifyPayload>(&request.payloads.front());
    if (got != nullptr && got->type == NotifyType::cookie &&
        constant_time_equal(got->data, cookie))
      return true;
    NotifyPayload n;
    n.type = NotifyType::cookie;
    n.data = cookie;
    counters.cookies_sent++;
    send_stateless(ctx, dg, request, {n}, {});
    return false;
  }

  void on_sa_message(EngineContext& ctx, IkeSa& sa, const Datagram& dg, const Header& header) {
    Message message;
    if (header.exchange == ExchangeType::ike_sa_init) {
      auto parsed = parse_message(dg.bytes);
      if (!parsed || !sa.initiator || sa.state != IkeState::connecting) {
        if (!parsed) counters.malformed++;
        return;
      }
      message = std::move(*parsed);
    } else {
      if (!sa.keys) {
        counters.malformed++;
        return;
      }
      auto opened = open_message(dg.bytes, receiving_keys(sa.suite, *sa.keys, sa.initiator));
      if (!opened) {
        if (opened.error().code == WireErrorCode::integrity_check_failed) {
          counters.auth_failed++;
          sa_log(ctx, sa, "integrity check of a " + name_of(header.exchange) + " message failed, dropped");
        } else {
          counters.malformed++;
          sa_log(ctx, sa, "malformed " + name_of(header.exchange) + " message dropped");
        }
        return;
      }
      message = std::move(*opened);
      if (dg.local != sa.local || dg.remote != sa.remote) {
        const bool moved = sa.state == IkeState::established;
        if (moved) sa_log(ctx, sa, "peer moved from " + describe(sa.remote) + " to " + describe(dg.remote));
        sa.local = dg.local;
        sa.remote = dg.remote;
        // RFC 7296 §2.23: a NATed peer's new mapping is followed by ESP too.
        if (moved && sa.nat())
          if (const TunnelConfig* config = config_of(sa))
            for (ChildSa& child : sa.children) reinstall_outbound(ctx, sa, *config, child);
      }
    }
    sa_log(ctx, sa, "received packet: from " + describe(dg.remote) + " to " + describe(dg.local) +
                        " (" + std::to_string(dg.bytes.size()) + " bytes)");
    sa_log(ctx, sa, "parsed " + describe_message(message));
    sa.last_received = ctx.now;
    if (Connection* c = connection(sa.tunnel_id)) c->last_alive = ctx.now;

    if (header.response) {
      Connection* c = connection(sa.tunnel_id);
      if (c == nullptr) return;
      on_response(ctx, sa, c->config, message, dg.bytes);
      return;
    }
    if (check_request(ctx, sa, message) != RequestWindow::next) return;
    std::vector<Payload> answer;
    switch (header.exchange) {
      case ExchangeType::ike_auth: {
        if (sa.state != IkeState::connecting) return;
        std::vector<const TunnelConfig*> cands;
        if (!sa.tunnel_id.empty()) {
          if (Connection* c = connection(sa.tunnel_id)) cands.push_back(&c->config);
        } else {
          for (const std::string& t : sa.candidates)
            if (Connection* c = connection(t)) cands.push_back(&c->config);
        }
        answer = respond_ike_auth(ctx, sa, cands, message);
        break;
      }
      case ExchangeType::informational:
        answer = respond_informational(ctx, sa, config_of(sa), message);
        break;
      case ExchangeType::create_child_sa: {
        const TunnelConfig* config = config_of(sa);
        if (sa.state != IkeState::established || config == nullptr) {
          NotifyPayload n;
          n.type = NotifyType::temporary_failure;
          answer.push_back(n);
          break;
        }
        answer = is_ike_rekey(message) ? respond_ike_rekey(ctx, sa, *config, message)
                                       : respond_child_rekey(ctx, sa, *config, message);
        break;
      }
      default:
        return;
    }
    sa.peer_next_message_id++;
    send_response(ctx, sa, message, std::move(answer));
  }
};

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
                       (inbound ? "inbound" : "outbound") + " SA " + std::to_string(spi) + " reached");
  if (!hard && it->state == "installed") {
    it->rekey_at = now;  // the next tick starts the rekey
  } else if (hard) {
    uninstall_child(ctx, *sa, *it);
    sa->children.erase(it);
    if (sa->children.empty()) {
      m.close_sa(ctx, *sa, true);
      m.set_status(*c, ConnectionStatus::connecting, "");
      if (c->initiates()) c->retry_at = now;
    }
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
    if (!sa->initiator && sa->state == IkeState::connecting && now - sa->created_at > kHalfOpenTimeout) {
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
    if (!sa->initiator && sa->state == IkeState::connecting) consider(sa->created_at + kHalfOpenTimeout);
  }
  return next;
}

std::optional<TunnelIkeStatus> IkeEngine::status(const std::string& tunnel_id, TimePoint now) const {
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
