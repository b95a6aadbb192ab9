// IkeEngine: the tunnels' lifecycle: initiating, acting on the outcomes of
// exchanges (connected, failed, deleted, rekeyed), PRODUCT.md's retries,
// closing SAs, dead peers.
#include <algorithm>

#include "ike/engine/engine_impl.hpp"
#include "ike/engine/message_log.hpp"
#include "ike/engine/task_manager.hpp"
#include "ike/engine/tasks/child_create.hpp"
#include "ike/engine/tasks/child_rekey.hpp"
#include "ike/engine/tasks/ike_auth.hpp"
#include "ike/engine/tasks/ike_init.hpp"
#include "ike/engine/tasks/ike_rekey.hpp"
#include "ike/engine/tasks/informational.hpp"

namespace vpngw::ike {

namespace {

// Two IKE SAs of one tunnel established this close together, one
// initiated by each end, come from simultaneous initiation rather than from
// a peer that restarted.
constexpr std::chrono::seconds kDuplicateWindow{30};

// Of two duplicate IKE SAs both ends keep the one with the larger SPI pair
// (the same numbers on both sides).
bool duplicate_keeps_old(const IkeSa& old, const IkeSa& fresh) {
  return std::pair(old.spi_i, old.spi_r) > std::pair(fresh.spi_i, fresh.spi_r);
}

}  // namespace

void IkeEngine::Impl::set_status(Connection& c, ConnectionStatus status,
                                 const std::string& reason) {
  if (c.status == status && c.reason == reason) return;
  c.status = status;
  c.reason = reason;
  deps.observer.on_connection(c.config.tunnel_id, status, reason);
}

// Lines an SA logged before it knew its tunnel: to the tunnel now, or to
// every candidate when it never learned which one it was.
// `final`: the SA is going away.
void IkeEngine::Impl::flush_log(IkeSa& sa, bool final) {
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

void IkeEngine::Impl::initiate(EngineContext& ctx, Connection& c, std::optional<SpdPair> first_pair) {
  auto owned = std::make_unique<IkeSa>();
  IkeSa& sa = *owned;
  sa.initiator = true;
  while (sa.spi_i == 0 || sas.count(sa.spi_i) != 0) sa.spi_i = random_ike_spi(ctx.random);
  sa.tunnel_id = c.config.tunnel_id;
  sa.local = Endpoint{c.config.gateway_ip, 500};
  sa.remote = Endpoint{c.config.peer_ip, 500};
  sa.created_at = ctx.now;
  sa.last_received = ctx.now;
  sa.first_pair = first_pair;
  sas[sa.spi_i] = std::move(owned);
  c.ike_spi = sa.spi_i;
  c.retry_at.reset();
  sa_log(ctx, sa, "initiating IKE_SA " + c.config.name + " to " + c.config.peer_ip.str());
  if (!c.status || *c.status == ConnectionStatus::connecting ||
      *c.status == ConnectionStatus::connected)
    set_status(c, ConnectionStatus::connecting, "");
  queue_task(ctx, sa, c.config, std::make_unique<IkeInitTask>());
  queue_task(ctx, sa, c.config, std::make_unique<IkeAuthTask>());
  settle(ctx, sa);
}

// Closes an SA: its CHILD_SAs leave the dataplane; an authenticated SA
// tells the peer with a Delete (sent once: the SA is gone either way).
void IkeEngine::Impl::close_sa(EngineContext& ctx, IkeSa& sa, bool send_delete) {
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

void IkeEngine::Impl::close_tunnel_sas(EngineContext& ctx, const std::string& tunnel_id) {
  for (auto& [spi, sa] : sas)
    if (sa->tunnel_id == tunnel_id) close_sa(ctx, *sa, true);
}

void IkeEngine::Impl::schedule_retry(EngineContext& ctx, Connection& c, int phase,
                                     const std::string& reason) {
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
void IkeEngine::Impl::settle(EngineContext& ctx, IkeSa& sa) {
  if (sa.rekeyed_to) {
    // The successor carries the tunnel now; the rekey's initiator deletes
    // the old SA (the responder waits for that Delete).
    std::unique_ptr<IkeSa> next = std::move(sa.rekeyed_to);
    IkeSa& fresh = *next;
    const uint64_t spi = fresh.our_spi();
    const bool we_initiated = fresh.initiator;
    sas[spi] = std::move(next);
    IkeSa* survivor = &fresh;
    IkeSa* earlier = sa.successor_spi != 0 ? find_sa(sa.successor_spi) : nullptr;
    if (earlier != nullptr && earlier->state != IkeState::dead)
      survivor = resolve_ike_rekey_collision(ctx, *earlier, fresh);
    sa.successor_spi = survivor->our_spi();
    if (Connection* c = connection(sa.tunnel_id)) {
      if (c->ike_spi == sa.our_spi() || (earlier != nullptr && c->ike_spi == earlier->our_spi()))
        c->ike_spi = survivor->our_spi();
      if (we_initiated) queue_task(ctx, sa, c->config, std::make_unique<DeleteIkeTask>());
    }
  }
  if (sa.child_up) {
    sa.child_up = false;
    if (Connection* c = connection(sa.tunnel_id)) {
      // A newer IKE SA for the tunnel replaces the one before it (the peer
      // restarted), except when both ends initiated at once: then both keep
      // the same one of the two, by a rule both compute alike.
      if (c->ike_spi != 0 && c->ike_spi != sa.our_spi()) {
        IkeSa* old = find_sa(c->ike_spi);
        if (old != nullptr && old->state == IkeState::established &&
            old->initiator != sa.initiator && ctx.now - old->established_at < kDuplicateWindow &&
            duplicate_keeps_old(*old, sa)) {
          sa_log(ctx, sa, "IKE_SA " + describe_spis(sa) + " duplicates " + describe_spis(*old) +
                              " (both ends initiated): keeping the latter");
          close_sa(ctx, sa, true);
          for (ChildSa& child : old->children) reinstall_outbound(ctx, *old, c->config, child);
          return;
        }
        // A negotiation of ours still under way is left to finish: this
        // rule decides again when it does.
        if (old != nullptr && old->state != IkeState::connecting)
          close_sa(ctx, *old, old->state == IkeState::established);
      }
      c->ike_spi = sa.our_spi();
      c->attempts = 0;
      c->retry_at.reset();
      c->last_error.clear();
      c->last_alive = ctx.now;
      sa.last_keepalive = ctx.now;
      sa.rekey_at = ike_rekey_time(ctx, c->config);
      sa.expire_at = ctx.now + std::chrono::seconds(c->config.ike.lifetime_s);
      set_status(*c, ConnectionStatus::connected, "");
      // The pairs IKE_AUTH's CHILD_SA does not serve get their own.
      sa.fill_at = ctx.now;
      fill_pairs(ctx, sa, *c);
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
        set_status(*c,
                   f.phase == 2 ? ConnectionStatus::phase2_failed : ConnectionStatus::phase1_failed,
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
      queue_task(ctx, sa, c != nullptr ? c->config : TunnelConfig{},
                 std::make_unique<DeleteIkeTask>());
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
// Both ends rekeyed the IKE SA at once (RFC 7296 §2.8.2): the successor
// made by the exchange with the lowest nonce is redundant and its creator
// deletes it; the CHILD_SAs live on the other.
IkeSa* IkeEngine::Impl::resolve_ike_rekey_collision(EngineContext& ctx, IkeSa& earlier,
                                                    IkeSa& fresh) {
  auto lowest = [](const IkeSa& s) { return std::min(s.ni, s.nr); };
  IkeSa& redundant = lowest(earlier) < lowest(fresh) ? earlier : fresh;
  IkeSa& survivor = &redundant == &earlier ? fresh : earlier;
  for (ChildSa& child : redundant.children) survivor.children.push_back(std::move(child));
  redundant.children.clear();
  for (const RetiringInbound& r : redundant.retiring) survivor.retiring.push_back(r);
  redundant.retiring.clear();
  sa_log(ctx, survivor,
         "IKE_SA rekey collision: " + describe_spis(redundant) +
             " has the lowest nonce and is redundant; " + describe_spis(survivor) + " stays");
  redundant.rekey_at = TimePoint::max();
  if (redundant.initiator)
    if (Connection* c = connection(redundant.tunnel_id))
      queue_task(ctx, redundant, c->config, std::make_unique<DeleteIkeTask>());
  return &survivor;
}

void IkeEngine::Impl::dead_peer(EngineContext& ctx, IkeSa& sa, const std::string& why) {
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

bool IkeEngine::Impl::request_pair(EngineContext& ctx, IkeSa& sa, Connection& c,
                                   const SpdPair& pair) {
  if (sa.state != IkeState::established || pair_covered(sa, pair) ||
      std::find(sa.pairs_pending.begin(), sa.pairs_pending.end(), pair) != sa.pairs_pending.end())
    return false;
  auto retry = std::find_if(sa.pair_retry_at.begin(), sa.pair_retry_at.end(),
                            [&](const auto& e) { return e.first == pair; });
  if (retry != sa.pair_retry_at.end()) {
    if (retry->second > ctx.now) {
      sa.fill_at = std::min(sa.fill_at, retry->second);
      return false;
    }
    sa.pair_retry_at.erase(retry);
  }
  sa.pairs_pending.push_back(pair);
  queue_task(ctx, sa, c.config, std::make_unique<ChildCreateTask>(pair));
  return true;
}

void IkeEngine::Impl::fill_pairs(EngineContext& ctx, IkeSa& sa, Connection& c) {
  if (sa.state != IkeState::established || c.ike_spi != sa.our_spi() || sa.fill_at > ctx.now)
    return;
  sa.fill_at = TimePoint::max();
  // Trap tunnels negotiate the pairs whose traffic arrives (on_acquire);
  // respond-only tunnels leave it to the peer.
  if (!c.initiates()) return;
  for (const SpdPair& pair : c.config.pairs) request_pair(ctx, sa, c, pair);
}

void IkeEngine::Impl::child_lost(EngineContext& ctx, IkeSa& sa, Connection& c, uint32_t spi_in) {
  if (sa.children.empty()) {
    if (c.ike_spi != sa.our_spi()) return;
    close_sa(ctx, sa, true);
    set_status(c, ConnectionStatus::connecting, "");
    if (c.initiates()) c.retry_at = ctx.now;
    return;
  }
  queue_task(ctx, sa, c.config, std::make_unique<DeleteChildTask>(std::vector<uint32_t>{spi_in}));
  sa.fill_at = std::min(sa.fill_at, ctx.now);
}

void IkeEngine::Impl::remove_dead() {
  for (auto it = sas.begin(); it != sas.end();) {
    if (it->second->state == IkeState::dead)
      it = sas.erase(it);
    else
      ++it;
  }
}

}  // namespace vpngw::ike
