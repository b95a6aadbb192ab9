// IkeEngine: the timers of established IKE SAs: CHILD_SA and IKE SA
// rekeys, registered outbound SAs, retiring inbound SAs, hard lifetimes,
// DPD and NAT keepalives.
#include <algorithm>

#include "ike/engine/engine_impl.hpp"
#include "ike/engine/task_manager.hpp"
#include "ike/engine/tasks/child_create.hpp"
#include "ike/engine/tasks/child_rekey.hpp"
#include "ike/engine/tasks/ike_rekey.hpp"
#include "ike/engine/tasks/informational.hpp"

namespace vpngw::ike {

// The timers of an established SA: CHILD_SA rekeys, the responder's
// registered outbound SA, retiring inbound SAs, DPD and NAT keepalives.
void IkeEngine::Impl::sa_timers(EngineContext& ctx, IkeSa& sa) {
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
  // The IKE SA past its hard lifetime (its rekeys never completed) is
  // closed; the tunnel reconnects.
  if (sa.expire_at <= ctx.now) {
    sa_log(ctx, sa, "IKE_SA " + describe_spis(sa) + " reached its hard lifetime (" +
                        std::to_string(config.ike.lifetime_s) + " s) without a rekey, closing it");
    const bool current = c->ike_spi == sa.our_spi();
    close_sa(ctx, sa, true);
    if (current) {
      set_status(*c, ConnectionStatus::connecting, "");
      if (!config.respond_only()) c->retry_at = ctx.now;
    }
    return;
  }
  // A CHILD_SA past its hard lifetime (its rekeys failed) is gone.
  std::vector<uint32_t> expired;
  for (auto it = sa.children.begin(); it != sa.children.end();) {
    if (it->expire_at > ctx.now) {
      ++it;
      continue;
    }
    sa_log(ctx, sa,
           "CHILD_SA with SPIs " + hex_spi(it->spi_in) + "_i " + hex_spi(it->spi_out) +
               "_o expired (hard lifetime)");
    uninstall_child(ctx, sa, *it);
    expired.push_back(it->spi_in);
    it = sa.children.erase(it);
  }
  for (uint32_t spi : expired) {
    child_lost(ctx, sa, *c, spi);
    if (sa.state == IkeState::dead) return;
  }
  fill_pairs(ctx, sa, *c);
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
  if (ctx.now - alive >= std::chrono::seconds(config.dpd.delay_s) && !sa.active &&
      sa.queue.empty()) {
    sa_log(
        ctx, sa,
        "no traffic from the peer for " + std::to_string(config.dpd.delay_s) + " s, sending DPD");
    sa.dpd_sent_at = ctx.now;
    queue_task(ctx, sa, config, std::make_unique<DpdTask>());
  }
}

std::optional<TimePoint> IkeEngine::Impl::sa_next_timer(const IkeSa& sa) const {
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
  if (sa.expire_at != TimePoint::max()) consider(sa.expire_at);
  if (c.ike_spi == sa.our_spi() && sa.fill_at != TimePoint::max()) consider(sa.fill_at);
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
      consider(std::max(c.last_alive, sa.last_received) +
               std::chrono::seconds(c.config.dpd.delay_s));
  }
  return next;
}

}  // namespace vpngw::ike
