#include "ike/engine/tasks/child_create.hpp"

#include <algorithm>
#include <cstdio>

#include "ike/engine/child_sa_params.hpp"
#include "ike/engine/message_log.hpp"
#include "ike/engine/tasks/payload_parts.hpp"
#include "ike/engine/traffic_selectors.hpp"
#include "ike/sa/proposal_builder.hpp"
#include "ike/sa/proposal_selector.hpp"
#include "ike/sa/transform_ids.hpp"

namespace vpngw::ike {

std::string hex_spi(uint32_t spi) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", spi);
  return buf;
}

namespace {

TimePoint after(TimePoint now, double seconds) {
  return now + std::chrono::duration_cast<EngineClock::duration>(std::chrono::duration<double>(seconds));
}

ChildKeys clone(const ChildKeys& k) {
  return ChildKeys{k.encr_i.clone(), k.integ_i.clone(), k.encr_r.clone(), k.integ_r.clone()};
}

dataplane::SaParams params(const IkeSa& sa, const TunnelConfig& config, const ChildSa& child,
                           const ChildKeys& keys, bool exchange_initiator, bool outbound) {
  ChildSaAddressing addressing{sa.local.address, sa.remote.address, child.udp_encap, sa.local.port,
                               sa.remote.port};
  // "_i" keys protect what the exchange's initiator sends.
  const bool initiator_keys = outbound == exchange_initiator;
  const SecretBytes& e = initiator_keys ? keys.encr_i : keys.encr_r;
  const SecretBytes& a = initiator_keys ? keys.integ_i : keys.integ_r;
  return make_sa_params(outbound ? dataplane::SaDirection::outbound : dataplane::SaDirection::inbound,
                        child.suite, {outbound ? child.spi_out : child.spi_in, e, a}, addressing,
                        cidrs_of(child.local_ts), cidrs_of(child.remote_ts), config.ipsec.lifetime_kb);
}

}  // namespace

void set_lifetimes(EngineContext& ctx, ChildSa& child, const TunnelConfig& config) {
  uint8_t r = 0;
  ctx.random.fill(std::span<uint8_t>(&r, 1));
  const double lifetime = config.ipsec.lifetime_s;
  const double fraction =
      ctx.settings.rekey_fraction - ctx.settings.rekey_jitter * (static_cast<double>(r) / 255.0);
  child.installed_at = ctx.now;
  child.rekey_at = after(ctx.now, lifetime * fraction);
  child.expire_at = after(ctx.now, lifetime);
}

std::vector<Payload> child_offer(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                 bool with_pfs_group, const std::vector<SpdPair>& pairs) {
  sa.child_spi_offered = ctx.installer.allocate_spi();
  std::vector<Payload> out;
  out.push_back(esp_sa_offer(config.ipsec, sa.child_spi_offered, with_pfs_group));
  out.push_back(TsPayload{PayloadType::tsi, selectors_of(locals_of(pairs))});
  out.push_back(TsPayload{PayloadType::tsr, selectors_of(peers_of(pairs))});
  return out;
}

std::vector<SpdPair> initial_pairs(const IkeSa& sa, const TunnelConfig& config) {
  std::vector<SpdPair> order;
  if (sa.first_pair &&
      std::find(config.pairs.begin(), config.pairs.end(), *sa.first_pair) != config.pairs.end())
    order.push_back(*sa.first_pair);
  order.insert(order.end(), config.pairs.begin(), config.pairs.end());
  return order.empty() ? order : rectangle(order, config.pairs);
}

bool pair_covered(const IkeSa& sa, const SpdPair& pair) {
  for (const ChildSa& c : sa.children)
    if (c.state != "redundant" && std::find(c.pairs.begin(), c.pairs.end(), pair) != c.pairs.end())
      return true;
  return false;
}

bool child_response(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                    const Message& response, ByteView nonce_i, ByteView nonce_r,
                    ByteView pfs_secret, bool pfs_applies) {
  if (const NotifyPayload* error = first_error(response)) {
    std::string reason;
    if (error->type == NotifyType::no_proposal_chosen) {
      ctx.counters.no_proposal++;
      reason = "peer refused our ESP proposal " +
               describe(esp_sa_offer(config.ipsec, 0, pfs_applies).proposals.front()) +
               " (NO_PROPOSAL_CHOSEN)";
    } else if (error->type == NotifyType::ts_unacceptable) {
      reason = "peer refused our traffic selectors " + describe(selectors_of(config.local_cidrs)) +
               " === " + describe(selectors_of(config.peer_cidrs)) + " (TS_UNACCEPTABLE)";
    } else {
      reason = "peer refused the CHILD_SA: " + name_of(error->type);
    }
    sa_log(ctx, sa, "received " + short_notify_name(error->type) + " notify, no CHILD_SA built");
    sa.failure = SaFailure{2, reason};
    return false;
  }
  const SaPayload* sa_payload = response.find<SaPayload>();
  const TsPayload* tsi = response.find_ts(PayloadType::tsi);
  const TsPayload* tsr = response.find_ts(PayloadType::tsr);
  if (sa_payload == nullptr || tsi == nullptr || tsr == nullptr ||
      sa_payload->proposals.size() != 1) {
    sa.failure = SaFailure{2, "peer's CHILD_SA answer lacks SA, TSi or TSr"};
    return false;
  }
  auto selected = select_esp_proposal(*sa_payload, config.ipsec, pfs_applies);
  if (!selected) {
    sa.failure = SaFailure{2, "peer chose an ESP proposal we did not offer: " + selected.error()};
    return false;
  }
  // The responder may only narrow what we offered.
  ChildSa child;
  child.local_ts = narrow(tsi->selectors, config.local_cidrs);
  child.remote_ts = narrow(tsr->selectors, config.peer_cidrs);
  if (child.local_ts.empty() || child.remote_ts.empty()) {
    sa.failure = SaFailure{2, "peer answered traffic selectors outside our offer: " +
                                  describe(tsi->selectors) + " === " + describe(tsr->selectors)};
    return false;
  }
  child.spi_in = sa.child_spi_offered;
  child.spi_out = selected->peer_spi;
  child.suite = selected->suite;
  {
    Bytes ni(nonce_i.begin(), nonce_i.end()), nr(nonce_r.begin(), nonce_r.end());
    child.lowest_nonce = ni < nr ? ni : nr;
  }
  sa_log(ctx, sa, "selected proposal: ESP:" + describe(child.suite));
  ChildKeys keys =
      derive_child_keys(child.suite, sa.suite.prf, sa.keys->sk_d, nonce_i, nonce_r, pfs_secret);
  set_lifetimes(ctx, child, config);
  return install_child(ctx, sa, config, std::move(child), keys, true);
}

std::vector<Payload> child_respond(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                   const Message& request, ByteView nonce_i, ByteView nonce_r,
                                   ByteView pfs_secret, bool pfs_applies) {
  const SaPayload* sa_payload = request.find<SaPayload>();
  const TsPayload* tsi = request.find_ts(PayloadType::tsi);
  const TsPayload* tsr = request.find_ts(PayloadType::tsr);
  if (sa_payload == nullptr || tsi == nullptr || tsr == nullptr) {
    sa.failure = SaFailure{2, "peer's CHILD_SA request lacks SA, TSi or TSr"};
    return {notify(NotifyType::invalid_syntax)};
  }
  auto selected = select_esp_proposal(*sa_payload, config.ipsec, pfs_applies);
  if (!selected) {
    ctx.counters.no_proposal++;
    sa_log(ctx, sa, "received proposals unacceptable: " + selected.error());
    sa_log(ctx, sa, "no acceptable proposal found, sending NO_PROPOSAL_CHOSEN");
    sa.failure = SaFailure{2, "no acceptable ESP proposal: " + selected.error()};
    return {notify(NotifyType::no_proposal_chosen)};
  }
  // TSi is the peer's side (our remote), TSr ours.
  ChildSa child;
  if (!narrow_to_pairs(tsi->selectors, tsr->selectors, config.pairs, &child.local_ts,
                       &child.remote_ts)) {
    std::string offered = describe(tsi->selectors) + " === " + describe(tsr->selectors);
    std::string ours = describe(selectors_of(config.peer_cidrs)) + " === " +
                       describe(selectors_of(config.local_cidrs));
    sa_log(ctx, sa, "traffic selectors " + offered + " unacceptable (we have " + ours +
                        "), sending TS_UNACCEPTABLE");
    sa.failure = SaFailure{2, "traffic selectors unacceptable: peer offered " + offered +
                                  ", we have " + ours};
    return {notify(NotifyType::ts_unacceptable)};
  }
  child.spi_in = ctx.installer.allocate_spi();
  child.spi_out = selected->peer_spi;
  child.suite = selected->suite;
  {
    Bytes ni(nonce_i.begin(), nonce_i.end()), nr(nonce_r.begin(), nonce_r.end());
    child.lowest_nonce = ni < nr ? ni : nr;
  }
  sa_log(ctx, sa, "selected proposal: ESP:" + describe(child.suite));
  ChildKeys keys =
      derive_child_keys(child.suite, sa.suite.prf, sa.keys->sk_d, nonce_i, nonce_r, pfs_secret);
  set_lifetimes(ctx, child, config);
  Proposal accepted = selected->accepted;
  const uint32_t spi = child.spi_in;
  accepted.spi = {static_cast<uint8_t>(spi >> 24), static_cast<uint8_t>(spi >> 16),
                  static_cast<uint8_t>(spi >> 8), static_cast<uint8_t>(spi)};
  std::vector<TrafficSelector> tsi_out = child.remote_ts;
  std::vector<TrafficSelector> tsr_out = child.local_ts;
  if (!install_child(ctx, sa, config, std::move(child), keys, false))
    return {notify(NotifyType::temporary_failure)};
  return {SaPayload{{accepted}}, TsPayload{PayloadType::tsi, tsi_out},
          TsPayload{PayloadType::tsr, tsr_out}};
}

bool install_child(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config, ChildSa child,
                   const ChildKeys& keys, bool exchange_initiator, bool outbound_now) {
  child.udp_encap = sa.nat();
  const std::string& tunnel = sa.tunnel_id;
  std::string error;
  child.pairs = pairs_served(child.local_ts, child.remote_ts, config.pairs);
  if (child.pairs.empty()) {
    sa_log(ctx, sa, "traffic selectors " + describe(child.local_ts) + " === " +
                        describe(child.remote_ts) + " serve no SPD rule of the tunnel");
    sa.failure = SaFailure{2, "negotiated traffic selectors serve no SPD rule"};
    return false;
  }
  if (!dataplane_supports(child.suite)) {
    sa_log(ctx, sa, "the dataplane does not implement " + describe(child.suite));
    sa.failure = SaFailure{2, "the dataplane does not implement ESP " + describe(child.suite)};
    return false;
  }
  if (!ctx.installer.add_inbound(tunnel, params(sa, config, child, keys, exchange_initiator, false),
                                 &error)) {
    sa_log(ctx, sa, "unable to install inbound SA " + hex_spi(child.spi_in) + ": " + error);
    sa.failure = SaFailure{2, "dataplane refused the inbound SA: " + error};
    return false;
  }
  std::string encap = child.udp_encap ? " in UDP " + describe(sa.remote) + " <-> " + describe(sa.local)
                                      : "";
  if (outbound_now) {
    if (!ctx.installer.set_outbound(tunnel, child.pairs,
                                    params(sa, config, child, keys, exchange_initiator, true),
                                    &error)) {
      ctx.installer.remove_inbound(tunnel, child.spi_in);
      sa_log(ctx, sa, "unable to install outbound SA " + hex_spi(child.spi_out) + ": " + error);
      sa.failure = SaFailure{2, "dataplane refused the outbound SA: " + error};
      return false;
    }
    sa_log(ctx, sa, "installed inbound ESP SA " + hex_spi(child.spi_in) + " and outbound ESP SA " +
                        hex_spi(child.spi_out) + " (" + describe(child.suite) + ")" + encap);
  } else {
    child.pending_outbound = clone(keys);
    child.pending_outbound_initiator = exchange_initiator;
    sa_log(ctx, sa, "installed inbound ESP SA " + hex_spi(child.spi_in) + " (" +
                        describe(child.suite) + ")" + encap + "; outbound ESP SA " +
                        hex_spi(child.spi_out) + " registered");
  }
  child.keys = clone(keys);
  child.keys_initiator = exchange_initiator;
  sa_log(ctx, sa, "CHILD_SA " + config.name + " established with SPIs " + hex_spi(child.spi_in) +
                      "_i " + hex_spi(child.spi_out) + "_o and TS " + describe(child.local_ts) +
                      " === " + describe(child.remote_ts));
  sa.children.push_back(std::move(child));
  sa.child_up = true;
  return true;
}

bool install_pending_outbound(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                              ChildSa& child) {
  if (!child.pending_outbound) return true;
  std::string error;
  bool ok = ctx.installer.set_outbound(
      sa.tunnel_id, child.pairs,
      params(sa, config, child, *child.pending_outbound, child.pending_outbound_initiator, true),
      &error);
  child.pending_outbound.reset();
  if (!ok) {
    sa_log(ctx, sa, "unable to install outbound SA " + hex_spi(child.spi_out) + ": " + error);
    return false;
  }
  sa_log(ctx, sa, "outbound ESP SA switched to " + hex_spi(child.spi_out));
  return true;
}

bool reinstall_outbound(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config, ChildSa& child) {
  if (!child.keys || child.pending_outbound || child.state != "installed") return true;
  std::string error;
  if (!ctx.installer.set_outbound(sa.tunnel_id, child.pairs,
                                  params(sa, config, child, *child.keys, child.keys_initiator, true),
                                  &error)) {
    sa_log(ctx, sa, "unable to move outbound SA " + hex_spi(child.spi_out) + ": " + error);
    return false;
  }
  sa_log(ctx, sa, "outbound ESP SA " + hex_spi(child.spi_out) + " now to " + describe(sa.remote));
  return true;
}

void retire_child(EngineContext& ctx, IkeSa& sa, const ChildSa& child) {
  ctx.installer.remove_outbound(sa.tunnel_id, child.pairs, child.spi_out);
  sa.retiring.push_back(RetiringInbound{child.spi_in, ctx.now + ctx.settings.old_sa_grace});
  sa_log(ctx, sa, "CHILD_SA with SPIs " + hex_spi(child.spi_in) + "_i " + hex_spi(child.spi_out) +
                      "_o retired; inbound SA kept for " +
                      std::to_string(ctx.settings.old_sa_grace.count()) + " ms");
}

bool narrow_request(const Message& request, const TunnelConfig& config, ChildSa& child,
                    std::string* why) {
  const TsPayload* tsi = request.find_ts(PayloadType::tsi);
  const TsPayload* tsr = request.find_ts(PayloadType::tsr);
  if (tsi == nullptr || tsr == nullptr) {
    *why = "request lacks TSi or TSr";
    return false;
  }
  if (narrow_to_pairs(tsi->selectors, tsr->selectors, config.pairs, &child.local_ts,
                      &child.remote_ts))
    return true;
  *why = "peer offered " + describe(tsi->selectors) + " === " + describe(tsr->selectors) +
         ", we have " + describe(selectors_of(config.peer_cidrs)) + " === " +
         describe(selectors_of(config.local_cidrs));
  return false;
}

void uninstall_child(EngineContext& ctx, IkeSa& sa, const ChildSa& child) {
  ctx.installer.remove_outbound(sa.tunnel_id, child.pairs, child.spi_out);
  ctx.installer.remove_inbound(sa.tunnel_id, child.spi_in);
  sa_log(ctx, sa, "removed ESP SAs " + hex_spi(child.spi_in) + "_i " + hex_spi(child.spi_out) + "_o");
}

}  // namespace vpngw::ike
