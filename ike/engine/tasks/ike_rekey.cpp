#include "ike/engine/tasks/ike_rekey.hpp"

#include "ike/crypto/key_derivation.hpp"
#include "ike/crypto/random.hpp"
#include "ike/engine/child_sa_params.hpp"
#include "ike/engine/message_log.hpp"
#include "ike/engine/tasks/payload_parts.hpp"
#include "ike/sa/proposal_builder.hpp"
#include "ike/sa/proposal_selector.hpp"
#include "ike/sa/transform_ids.hpp"

namespace vpngw::ike {

namespace {

constexpr std::chrono::seconds kRekeyRetry{30};

Bytes spi_bytes(uint64_t spi) {
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(spi >> (56 - 8 * i));
  return b;
}

uint64_t spi_value(const Bytes& b) {
  uint64_t v = 0;
  for (uint8_t byte : b) v = v << 8 | byte;
  return v;
}

bool nonce_ok(const NoncePayload* nonce) {
  return nonce != nullptr && nonce->data.size() >= kMinNonceSize &&
         nonce->data.size() <= kMaxNonceSize;
}

// The successor of `old`: same peer, tunnel and NAT state, its CHILD_SAs
// and retiring inbound SAs, new SPIs, suite and keys.
std::unique_ptr<IkeSa> successor(EngineContext& ctx, IkeSa& old, const TunnelConfig& config,
                                 bool initiator, uint64_t spi_i, uint64_t spi_r,
                                 const IkeSuite& suite, const SecretBytes& shared, ByteView ni,
                                 ByteView nr) {
  auto sa = std::make_unique<IkeSa>();
  sa->initiator = initiator;
  sa->spi_i = spi_i;
  sa->spi_r = spi_r;
  sa->tunnel_id = old.tunnel_id;
  sa->state = IkeState::established;
  sa->local = old.local;
  sa->remote = old.remote;
  sa->nat_local = old.nat_local;
  sa->nat_remote = old.nat_remote;
  sa->suite = suite;
  sa->ni.assign(ni.begin(), ni.end());
  sa->nr.assign(nr.begin(), nr.end());
  SecretBytes skeyseed = rekeyed_skeyseed(old.suite.prf, old.keys->sk_d, shared, ni, nr);
  sa->keys = derive_ike_keys(suite, skeyseed, ni, nr, spi_i, spi_r);
  sa->children = std::move(old.children);
  old.children.clear();
  sa->retiring = std::move(old.retiring);
  old.retiring.clear();
  sa->created_at = ctx.now;
  sa->established_at = ctx.now;
  sa->last_received = ctx.now;
  sa->last_keepalive = old.last_keepalive;
  sa->rekey_at = ike_rekey_time(ctx, config);
  sa->expire_at = ctx.now + std::chrono::seconds(config.ike.lifetime_s);
  // The CHILD_SAs moved over; pairs still uncovered are looked at again.
  sa->fill_at = ctx.now;
  sa->pair_retry_at = old.pair_retry_at;
  sa_log(ctx, old, "IKE_SA rekeyed: " + describe_spis(old) + " -> " + describe_spis(*sa) + " (" +
                       describe(suite) + ")");
  return sa;
}

}  // namespace

TimePoint ike_rekey_time(EngineContext& ctx, const TunnelConfig& config) {
  uint8_t r = 0;
  ctx.random.fill(std::span<uint8_t>(&r, 1));
  const double fraction =
      ctx.settings.rekey_fraction - ctx.settings.rekey_jitter * (static_cast<double>(r) / 255.0);
  return ctx.now + std::chrono::duration_cast<EngineClock::duration>(
                       std::chrono::duration<double>(config.ike.lifetime_s * fraction));
}

bool is_ike_rekey(const Message& request) {
  const SaPayload* sa = request.find<SaPayload>();
  return sa != nullptr && !sa->proposals.empty() && sa->proposals.front().protocol == ProtocolId::ike;
}

std::vector<Payload> IkeRekeyTask::build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) {
  new_spi_ = random_ike_spi(ctx.random);
  ni_ = random_nonce(ctx.random);
  dh_ = make_diffie_hellman(config.ike.dh_group);
  sa_log(ctx, sa, "rekeying IKE_SA " + describe_spis(sa));
  return {ike_sa_offer(config.ike, spi_bytes(new_spi_)), NoncePayload{ni_}, ke_payload(*dh_)};
}

TaskStatus IkeRekeyTask::process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                 const Message& response, ByteView) {
  auto give_up = [&](const std::string& why) {
    sa_log(ctx, sa, "IKE_SA rekey failed: " + why + "; retrying in " +
                        std::to_string(kRekeyRetry.count()) + " s");
    sa.rekey_at = ctx.now + kRekeyRetry;
    return TaskStatus::done;
  };
  if (const NotifyPayload* error = first_error(response))
    return give_up("peer answered " + name_of(error->type));
  const SaPayload* sa_payload = response.find<SaPayload>();
  const NoncePayload* nonce = response.find<NoncePayload>();
  const KePayload* ke = response.find<KePayload>();
  if (sa_payload == nullptr || !nonce_ok(nonce) || ke == nullptr || sa_payload->proposals.size() != 1 ||
      sa_payload->proposals.front().spi.size() != 8)
    return give_up("answer lacks SA, nonce or KE");
  auto selected = select_ike_proposal(*sa_payload, config.ike);
  if (!selected) return give_up("peer chose a proposal we did not offer: " + selected.error());
  if (ke->dh_group != static_cast<uint16_t>(selected->suite.dh)) return give_up("KE of another group");
  auto shared = dh_->shared_secret(ke->data);
  if (!shared) return give_up("peer's KE is invalid");
  const uint64_t peer_spi = spi_value(sa_payload->proposals.front().spi);
  sa.rekeyed_to = successor(ctx, sa, config, true, new_spi_, peer_spi, selected->suite, *shared,
                            ni_, nonce->data);
  return TaskStatus::done;
}

std::vector<Payload> respond_ike_rekey(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                       const Message& request) {
  const SaPayload* sa_payload = request.find<SaPayload>();
  const NoncePayload* nonce = request.find<NoncePayload>();
  const KePayload* ke = request.find<KePayload>();
  if (sa_payload == nullptr || !nonce_ok(nonce) || ke == nullptr) return {notify(NotifyType::invalid_syntax)};
  auto selected = select_ike_proposal(*sa_payload, config.ike);
  if (!selected || selected->accepted.spi.size() != 8) {
    ctx.counters.no_proposal++;
    sa_log(ctx, sa, "IKE rekey proposals unacceptable: " +
                        (selected ? std::string("bad SPI") : selected.error()));
    return {notify(NotifyType::no_proposal_chosen)};
  }
  const DhGroup group = selected->suite.dh;
  if (ke->dh_group != static_cast<uint16_t>(group)) {
    auto g = static_cast<uint16_t>(group);
    return {notify(NotifyType::invalid_ke_payload,
                   Bytes{static_cast<uint8_t>(g >> 8), static_cast<uint8_t>(g)})};
  }
  auto dh = make_diffie_hellman(group);
  auto shared = dh->shared_secret(ke->data);
  if (!shared) return {notify(NotifyType::invalid_syntax)};
  sa_log(ctx, sa, "peer rekeys IKE_SA " + describe_spis(sa));
  const uint64_t our_spi = random_ike_spi(ctx.random);
  Bytes nr = random_nonce(ctx.random);
  sa.rekeyed_to = successor(ctx, sa, config, false, spi_value(selected->accepted.spi), our_spi,
                            selected->suite, *shared, nonce->data, nr);
  Proposal accepted = selected->accepted;
  accepted.spi = spi_bytes(our_spi);
  return {SaPayload{{accepted}}, NoncePayload{nr}, ke_payload(*dh)};
}

}  // namespace vpngw::ike
