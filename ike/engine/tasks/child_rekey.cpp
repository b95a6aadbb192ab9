#include "ike/engine/tasks/child_rekey.hpp"

#include <algorithm>
#include <optional>

#include "ike/crypto/random.hpp"
#include "ike/engine/child_sa_params.hpp"
#include "ike/engine/message_log.hpp"
#include "ike/engine/tasks/child_create.hpp"
#include "ike/engine/tasks/informational.hpp"
#include "ike/engine/tasks/payload_parts.hpp"
#include "ike/engine/traffic_selectors.hpp"
#include "ike/sa/proposal_builder.hpp"
#include "ike/sa/proposal_selector.hpp"
#include "ike/sa/transform_ids.hpp"

namespace vpngw::ike {

namespace {

// If the rekey fails without killing the SA, try again this much later.
constexpr std::chrono::seconds kRekeyRetry{30};

ChildSa* child_by_in(IkeSa& sa, uint32_t spi) {
  for (ChildSa& c : sa.children)
    if (c.spi_in == spi) return &c;
  return nullptr;
}

bool nonce_ok(const NoncePayload* nonce) {
  return nonce != nullptr && nonce->data.size() >= kMinNonceSize &&
         nonce->data.size() <= kMaxNonceSize;
}

Bytes lowest(const Bytes& a, const Bytes& b) { return a < b ? a : b; }

// An answer to our CREATE_CHILD_SA (a new or a rekeyed CHILD_SA), checked:
// the one proposal the peer chose from ours, its nonce and selectors, and
// with PFS the new Diffie-Hellman secret.
struct ChildAnswer {
  EspSelection selected;
  const NoncePayload* nonce = nullptr;
  const TsPayload* tsi = nullptr;
  const TsPayload* tsr = nullptr;
  SecretBytes shared;
};

// The answer's parts, or why it cannot be used (for the log line).
Expected<ChildAnswer, std::string> read_child_answer(const Message& response,
                                                     const TunnelConfig& config,
                                                     DiffieHellman* dh) {
  const SaPayload* sa_payload = response.find<SaPayload>();
  ChildAnswer a;
  a.nonce = response.find<NoncePayload>();
  a.tsi = response.find_ts(PayloadType::tsi);
  a.tsr = response.find_ts(PayloadType::tsr);
  if (sa_payload == nullptr || !nonce_ok(a.nonce) || a.tsi == nullptr || a.tsr == nullptr ||
      sa_payload->proposals.size() != 1)
    return unexpected(std::string("answer lacks SA, nonce, TSi or TSr"));
  auto selected = select_esp_proposal(*sa_payload, config.ipsec, true);
  if (!selected) return unexpected("peer chose a proposal we did not offer: " + selected.error());
  a.selected = std::move(*selected);
  if (a.selected.suite.pfs != DhGroup::none) {
    const KePayload* ke = response.find<KePayload>();
    if (ke == nullptr || dh == nullptr || ke->dh_group != static_cast<uint16_t>(a.selected.suite.pfs))
      return unexpected(std::string("answer lacks the PFS KE"));
    auto secret = dh->shared_secret(ke->data);
    if (!secret) return unexpected(std::string("peer's KE is invalid"));
    a.shared = std::move(*secret);
  }
  return a;
}

// The CHILD_SA our request and the peer's answer agree on, with its keys:
// its selectors are the answer's narrowed to what we offered (`local`,
// `peer`); null when nothing of the answer is inside our offer.
struct AgreedChild {
  ChildSa child;
  ChildKeys keys;
};
std::optional<AgreedChild> agreed_child(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                        const ChildAnswer& answer, const std::vector<Cidr>& local,
                                        const std::vector<Cidr>& peer, uint32_t spi_in,
                                        const Bytes& ni) {
  AgreedChild a;
  ChildSa& child = a.child;
  child.local_ts = narrow(answer.tsi->selectors, local);
  child.remote_ts = narrow(answer.tsr->selectors, peer);
  if (child.local_ts.empty() || child.remote_ts.empty()) return std::nullopt;
  child.spi_in = spi_in;
  child.spi_out = answer.selected.peer_spi;
  child.suite = answer.selected.suite;
  child.lowest_nonce = lowest(ni, answer.nonce->data);
  sa_log(ctx, sa, "selected proposal: ESP:" + describe(child.suite));
  a.keys = derive_child_keys(child.suite, sa.suite.prf, sa.keys->sk_d, ni, answer.nonce->data,
                             answer.shared);
  set_lifetimes(ctx, child, config);
  return a;
}

// Both sides rekeyed the same CHILD_SA at once (RFC 7296 §2.8.1): the
// replacement made by the exchange with the lowest nonce is redundant and
// its creator deletes it. `mine` came from our request, `theirs` from the
// peer's; the other one carries the tunnel.
void resolve_collision(EngineContext& ctx, IkeSa& sa, uint32_t mine_in, uint32_t theirs_in) {
  ChildSa* mine = child_by_in(sa, mine_in);
  ChildSa* theirs = child_by_in(sa, theirs_in);
  if (mine == nullptr || theirs == nullptr) return;
  if (mine->lowest_nonce < theirs->lowest_nonce) {
    sa_log(ctx, sa, "CHILD_SA rekey collision: ours (" + hex_spi(mine_in) +
                        ") has the lowest nonce and is redundant, deleting it");
    mine->state = "redundant";
    sa.queue.push_back(std::make_unique<DeleteChildTask>(std::vector<uint32_t>{mine_in}));
  } else {
    sa_log(ctx, sa, "CHILD_SA rekey collision: the peer's (" + hex_spi(theirs_in) +
                        ") has the lowest nonce and is redundant; the peer deletes it");
    theirs->state = "redundant";
    theirs->pending_outbound.reset();  // never switched to
  }
}

}  // namespace

bool rekey_due(const EngineContext& ctx, const ChildSa& child) {
  return child.state == "installed" && child.rekey_at <= ctx.now;
}

std::vector<Payload> ChildRekeyTask::build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) {
  // The same selectors as the CHILD_SA it replaces.
  std::vector<TrafficSelector> tsi = selectors_of(config.local_cidrs);
  std::vector<TrafficSelector> tsr = selectors_of(config.peer_cidrs);
  if (ChildSa* old = child_by_in(sa, old_spi_in_)) {
    old->state = "rekeying";
    tsi = old->local_ts;
    tsr = old->remote_ts;
  }
  new_spi_ = ctx.installer.allocate_spi();
  ni_ = random_nonce(ctx.random);
  const bool pfs = config.ipsec.pfs != DhGroup::none;
  sa_log(ctx, sa, "rekeying CHILD_SA with SPI " + hex_spi(old_spi_in_) +
                      (pfs ? " (PFS " + transform_name(dh_transform(config.ipsec.pfs)) + ")" : ""));
  std::vector<Payload> out;
  NotifyPayload rekey = notify(NotifyType::rekey_sa);
  rekey.protocol = ProtocolId::esp;
  rekey.spi = esp_spi_bytes(old_spi_in_);
  out.push_back(rekey);
  out.push_back(esp_sa_offer(config.ipsec, new_spi_, true));
  out.push_back(NoncePayload{ni_});
  if (pfs) {
    dh_ = make_diffie_hellman(config.ipsec.pfs);
    out.push_back(ke_payload(*dh_));
  }
  out.push_back(TsPayload{PayloadType::tsi, tsi});
  out.push_back(TsPayload{PayloadType::tsr, tsr});
  return out;
}

TaskStatus ChildRekeyTask::process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                   const Message& response, ByteView) {
  ChildSa* old = child_by_in(sa, old_spi_in_);
  auto give_up = [&](const std::string& why) {
    sa_log(ctx, sa, "CHILD_SA rekey failed: " + why + "; the old SA stays, retrying in " +
                        std::to_string(kRekeyRetry.count()) + " s");
    if (old != nullptr) {
      old->state = "installed";
      old->rekey_at = ctx.now + kRekeyRetry;
    }
    return TaskStatus::done;  // the IKE SA and the old CHILD_SA live on
  };
  if (const NotifyPayload* error = first_error(response)) {
    if (old == nullptr) {
      // RFC 7296 §2.25.1: the peer deleted the CHILD_SA while we rekeyed it.
      sa_log(ctx, sa, "CHILD_SA rekey answered " + name_of(error->type) +
                          ": the CHILD_SA was deleted meanwhile, nothing to rekey");
      return TaskStatus::done;
    }
    if (error->type == NotifyType::child_sa_not_found) {
      // The peer no longer has it: ours goes too, its pairs are negotiated
      // again (start tunnels) or the tunnel reconnects if nothing is left.
      sa_log(ctx, sa, "peer does not know CHILD_SA " + hex_spi(old_spi_in_) +
                          " (CHILD_SA_NOT_FOUND): removing it");
      uninstall_child(ctx, sa, *old);
      sa.children.erase(sa.children.begin() + (old - sa.children.data()));
      if (sa.children.empty())
        sa.children_deleted_by_peer = true;
      else
        sa.fill_at = ctx.now;
      return TaskStatus::done;
    }
    if (error->type == NotifyType::no_proposal_chosen) ctx.counters.no_proposal++;
    return give_up("peer answered " + name_of(error->type));
  }
  auto answer = read_child_answer(response, config, dh_.get());
  if (!answer) return give_up(answer.error());
  auto agreed = agreed_child(ctx, sa, config, *answer, config.local_cidrs, config.peer_cidrs,
                             new_spi_, ni_);
  if (!agreed) return give_up("peer answered selectors outside our offer");
  agreed->child.rekey_of = old_spi_in_;
  if (!install_child(ctx, sa, config, std::move(agreed->child), agreed->keys, true)) {
    sa.failure.reset();  // the old CHILD_SA still carries the tunnel
    return give_up("the dataplane refused the new SAs");
  }
  sa.child_up = false;  // the tunnel was connected all along
  old = child_by_in(sa, old_spi_in_);
  if (old == nullptr) {
    // Deleted by the peer while we rekeyed it: the new one simply stays.
    sa_log(ctx, sa, "the rekeyed CHILD_SA " + hex_spi(old_spi_in_) + " was deleted meanwhile");
    return TaskStatus::done;
  }
  old->state = "rekeyed";
  sa.queue.push_front(std::make_unique<DeleteChildTask>(std::vector<uint32_t>{old_spi_in_}));
  for (const ChildSa& c : sa.children)
    if (c.rekey_of == old_spi_in_ && c.spi_in != new_spi_ && c.state != "redundant") {
      resolve_collision(ctx, sa, new_spi_, c.spi_in);
      break;
    }
  return TaskStatus::done;
}

namespace {

// If a new CHILD_SA for a pair fails, its pair is tried again this much later.
std::chrono::milliseconds pair_retry(const EngineContext& ctx) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(ctx.settings.failed_retry_interval);
}

void forget_pending(IkeSa& sa, const SpdPair& pair) {
  std::erase(sa.pairs_pending, pair);
}

void retry_pair_later(EngineContext& ctx, IkeSa& sa, const SpdPair& pair) {
  std::erase_if(sa.pair_retry_at, [&](const auto& e) { return e.first == pair; });
  sa.pair_retry_at.emplace_back(pair, ctx.now + pair_retry(ctx));
  sa.fill_at = std::min(sa.fill_at, ctx.now + pair_retry(ctx));
}

// Whether an installed CHILD_SA already serves exactly the pairs these
// selectors serve: a new one for them only registers its outbound SA.
bool duplicates_installed(const IkeSa& sa, const TunnelConfig& config, const ChildSa& child) {
  const std::vector<SpdPair> pairs = pairs_served(child.local_ts, child.remote_ts, config.pairs);
  for (const ChildSa& c : sa.children)
    if (c.state == "installed" && c.pairs == pairs) return true;
  return false;
}

// Two CHILD_SAs for the same pairs, made by CREATE_CHILD_SAs of both ends
// at once (both saw the pairs uncovered), or a new one for pairs an
// installed one serves: as with rekey collisions (RFC 7296 §2.8.1) the one
// whose exchange had the lowest nonce is redundant and its creator deletes
// it; both ends compute the same. The fresh one's outbound SA was only
// registered (duplicates_installed): it is switched to only if it survives,
// so the pairs' slots always hold a live SA and no sequence counter restarts.
void resolve_duplicate(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config, uint32_t fresh_in) {
  ChildSa* fresh = child_by_in(sa, fresh_in);
  if (fresh == nullptr) return;
  ChildSa* other = nullptr;
  for (ChildSa& c : sa.children)
    if (c.spi_in != fresh_in && c.state == "installed" && c.pairs == fresh->pairs) other = &c;
  if (other == nullptr) {
    install_pending_outbound(ctx, sa, config, *fresh);
    return;
  }
  ChildSa& redundant = fresh->lowest_nonce < other->lowest_nonce ? *fresh : *other;
  ChildSa& survivor = &redundant == fresh ? *other : *fresh;
  if (&survivor == fresh)
    install_pending_outbound(ctx, sa, config, *fresh);
  else
    fresh->pending_outbound.reset();  // never switched to
  redundant.state = "redundant";
  const std::string what = "CHILD_SA " + hex_spi(redundant.spi_in) + " duplicates " +
                           hex_spi(survivor.spi_in) + " and has the lowest nonce: ";
  if (redundant.keys_initiator) {
    sa_log(ctx, sa, what + "deleting it");
    sa.queue.push_back(std::make_unique<DeleteChildTask>(std::vector<uint32_t>{redundant.spi_in}));
  } else {
    sa_log(ctx, sa, what + "the peer deletes it");
  }
}

// What we accept from a peer's CREATE_CHILD_SA request (a new CHILD_SA or a
// rekey): the child with its selectors, SPIs, suite, nonce and lifetimes, its
// keys, and the SA/Nonce/KE payloads of our answer.
struct AcceptedChild {
  ChildSa child;
  ChildKeys keys;
  std::vector<Payload> answer;
};

// The checks a new CHILD_SA and a rekey share (RFC 7296 §1.3.1, §1.3.3):
// a proposal we accept, selectors narrowed to our pairs, with PFS a KE of the
// chosen group. On failure, the notify to answer with.
Expected<AcceptedChild, std::vector<Payload>> accept_child_request(EngineContext& ctx, IkeSa& sa,
                                                                   const TunnelConfig& config,
                                                                   const Message& request) {
  const SaPayload* sa_payload = request.find<SaPayload>();
  const NoncePayload* nonce = request.find<NoncePayload>();
  if (sa_payload == nullptr || !nonce_ok(nonce))
    return unexpected(std::vector<Payload>{notify(NotifyType::invalid_syntax)});
  auto selected = select_esp_proposal(*sa_payload, config.ipsec, true);
  if (!selected) {
    ctx.counters.no_proposal++;
    sa_log(ctx, sa, "received proposals unacceptable: " + selected.error());
    sa_log(ctx, sa, "no acceptable proposal found, sending NO_PROPOSAL_CHOSEN");
    return unexpected(std::vector<Payload>{notify(NotifyType::no_proposal_chosen)});
  }
  AcceptedChild a;
  std::string why;
  if (!narrow_request(request, config, a.child, &why)) {
    sa_log(ctx, sa, "traffic selectors unacceptable: " + why + ", sending TS_UNACCEPTABLE");
    return unexpected(std::vector<Payload>{notify(NotifyType::ts_unacceptable)});
  }
  std::unique_ptr<DiffieHellman> dh;
  SecretBytes shared;
  if (selected->suite.pfs != DhGroup::none) {
    const KePayload* ke = request.find<KePayload>();
    const DhGroup group = selected->suite.pfs;
    if (ke == nullptr || ke->dh_group != static_cast<uint16_t>(group)) {
      sa_log(ctx, sa, "KE of the wrong group, requesting " + transform_name(dh_transform(group)));
      return unexpected(std::vector<Payload>{notify(NotifyType::invalid_ke_payload, group_bytes(group))});
    }
    dh = make_diffie_hellman(group);
    auto secret = dh->shared_secret(ke->data);
    if (!secret) return unexpected(std::vector<Payload>{notify(NotifyType::invalid_syntax)});
    shared = std::move(*secret);
  }
  Bytes nr = random_nonce(ctx.random);
  ChildSa& child = a.child;
  child.spi_in = ctx.installer.allocate_spi();
  child.spi_out = selected->peer_spi;
  child.suite = selected->suite;
  child.lowest_nonce = lowest(nonce->data, nr);
  sa_log(ctx, sa, "selected proposal: ESP:" + describe(child.suite));
  a.keys = derive_child_keys(child.suite, sa.suite.prf, sa.keys->sk_d, nonce->data, nr, shared);
  set_lifetimes(ctx, child, config);
  Proposal accepted = selected->accepted;
  accepted.spi = esp_spi_bytes(child.spi_in);
  a.answer.push_back(SaPayload{{accepted}});
  a.answer.push_back(NoncePayload{nr});
  if (dh) a.answer.push_back(ke_payload(*dh));
  a.answer.push_back(TsPayload{PayloadType::tsi, child.remote_ts});
  a.answer.push_back(TsPayload{PayloadType::tsr, child.local_ts});
  return a;
}

// A new CHILD_SA requested by the peer (CREATE_CHILD_SA without REKEY_SA).
std::vector<Payload> respond_child_create(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                          const Message& request) {
  const TsPayload* tsi = request.find_ts(PayloadType::tsi);
  const TsPayload* tsr = request.find_ts(PayloadType::tsr);
  if (tsi == nullptr || tsr == nullptr) return {notify(NotifyType::invalid_syntax)};
  sa_log(ctx, sa, "peer requests a new CHILD_SA for " + describe(tsr->selectors) + " === " +
                      describe(tsi->selectors));
  auto accepted = accept_child_request(ctx, sa, config, request);
  if (!accepted) return accepted.error();
  const bool duplicate = duplicates_installed(sa, config, accepted->child);
  if (!install_child(ctx, sa, config, std::move(accepted->child), accepted->keys, false, !duplicate)) {
    sa.failure.reset();  // this CHILD_SA only: the IKE SA and the others stay
    return {notify(NotifyType::temporary_failure)};
  }
  // The tunnel is connected already (IKE_AUTH made its first CHILD_SA).
  sa.child_up = false;
  resolve_duplicate(ctx, sa, config, sa.children.back().spi_in);
  return std::move(accepted->answer);
}

}  // namespace

std::vector<Payload> ChildCreateTask::build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) {
  new_spi_ = ctx.installer.allocate_spi();
  ni_ = random_nonce(ctx.random);
  const bool pfs = config.ipsec.pfs != DhGroup::none;
  sa_log(ctx, sa, "creating CHILD_SA for " + pair_.str() +
                      (pfs ? " (PFS " + transform_name(dh_transform(config.ipsec.pfs)) + ")" : ""));
  std::vector<Payload> out;
  out.push_back(esp_sa_offer(config.ipsec, new_spi_, true));
  out.push_back(NoncePayload{ni_});
  if (pfs) {
    dh_ = make_diffie_hellman(config.ipsec.pfs);
    out.push_back(ke_payload(*dh_));
  }
  out.push_back(TsPayload{PayloadType::tsi, selectors_of({pair_.local})});
  out.push_back(TsPayload{PayloadType::tsr, selectors_of({pair_.peer})});
  return out;
}

TaskStatus ChildCreateTask::process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                    const Message& response, ByteView) {
  forget_pending(sa, pair_);
  // Phase 2 of this pair failed; the tunnel stays connected on its other
  // CHILD_SAs (docs/ike.md: the status does not change, the log says why).
  auto give_up = [&](const std::string& why) {
    sa_log(ctx, sa, "CHILD_SA for " + pair_.str() + " failed (phase 2): " + why + "; retrying in " +
                        std::to_string(ctx.settings.failed_retry_interval.count()) + " s");
    retry_pair_later(ctx, sa, pair_);
    return TaskStatus::done;
  };
  if (const NotifyPayload* error = first_error(response)) {
    if (error->type == NotifyType::no_proposal_chosen) ctx.counters.no_proposal++;
    return give_up("peer answered " + name_of(error->type));
  }
  auto answer = read_child_answer(response, config, dh_.get());
  if (!answer) return give_up(answer.error());
  // The responder may only narrow the pair we offered.
  auto agreed = agreed_child(ctx, sa, config, *answer, {pair_.local}, {pair_.peer}, new_spi_, ni_);
  if (!agreed)
    return give_up("peer answered selectors outside the pair: " + describe(answer->tsi->selectors) +
                   " === " + describe(answer->tsr->selectors));
  const bool duplicate = duplicates_installed(sa, config, agreed->child);
  if (!install_child(ctx, sa, config, std::move(agreed->child), agreed->keys, true, !duplicate)) {
    sa.failure.reset();  // this pair only
    return give_up("the dataplane refused the new SAs");
  }
  sa.child_up = false;  // the tunnel is connected already
  resolve_duplicate(ctx, sa, config, new_spi_);
  return TaskStatus::done;
}

std::vector<Payload> respond_child_rekey(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                         const Message& request) {
  const NotifyPayload* rekey = request.find_notify(NotifyType::rekey_sa);
  if (rekey == nullptr) return respond_child_create(ctx, sa, config, request);
  if (rekey->protocol != ProtocolId::esp || rekey->spi.size() != 4)
    return {notify(NotifyType::invalid_syntax)};
  const uint32_t old_out = esp_spi_value(rekey->spi);
  auto old = std::find_if(sa.children.begin(), sa.children.end(),
                          [&](const ChildSa& c) { return c.spi_out == old_out; });
  if (old == sa.children.end()) {
    sa_log(ctx, sa, "CHILD_SA " + hex_spi(old_out) + " to rekey not found, sending CHILD_SA_NOT_FOUND");
    NotifyPayload n = notify(NotifyType::child_sa_not_found);
    n.protocol = ProtocolId::esp;
    n.spi = rekey->spi;
    return {n};
  }
  if (old->state == "deleting") {
    // RFC 7296 §2.25.1: we are closing it; the peer learns from our Delete.
    sa_log(ctx, sa, "CHILD_SA " + hex_spi(old_out) + " to rekey is being deleted, sending TEMPORARY_FAILURE");
    return {notify(NotifyType::temporary_failure)};
  }
  const uint32_t old_in = old->spi_in;
  sa_log(ctx, sa, "peer rekeys CHILD_SA with SPIs " + hex_spi(old_in) + "_i " + hex_spi(old_out) + "_o");
  auto accepted = accept_child_request(ctx, sa, config, request);
  if (!accepted) return accepted.error();
  accepted->child.rekey_of = old_in;
  accepted->child.outbound_deadline = ctx.now + 2 * ctx.settings.old_sa_grace;
  if (!install_child(ctx, sa, config, std::move(accepted->child), accepted->keys, false,
                     /*outbound_now=*/false)) {
    sa.failure.reset();
    return {notify(NotifyType::temporary_failure)};
  }
  sa.child_up = false;
  const uint32_t theirs = sa.children.back().spi_in;
  for (ChildSa& c : sa.children)
    if (c.spi_in == old_in) c.state = "rekeyed";
  for (const ChildSa& c : sa.children)
    if (c.rekey_of == old_in && c.spi_in != theirs && !c.pending_outbound && c.state != "redundant") {
      resolve_collision(ctx, sa, c.spi_in, theirs);
      break;
    }
  return std::move(accepted->answer);
}

}  // namespace vpngw::ike
