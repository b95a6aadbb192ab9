#include "ike/engine/tasks/ike_init.hpp"

#include "ike/crypto/key_derivation.hpp"
#include "ike/crypto/random.hpp"
#include "ike/engine/child_sa_params.hpp"
#include "ike/engine/message_log.hpp"
#include "ike/engine/tasks/ike_natd.hpp"
#include "ike/engine/tasks/payload_parts.hpp"
#include "ike/sa/proposal_builder.hpp"
#include "ike/sa/proposal_selector.hpp"
#include "ike/sa/transform_ids.hpp"

namespace vpngw::ike {

namespace {

constexpr int kMaxInitRetries = 3;

bool nonce_ok(const NoncePayload* nonce) {
  return nonce != nullptr && nonce->data.size() >= kMinNonceSize &&
         nonce->data.size() <= kMaxNonceSize;
}

// SKEYSEED and the seven keys, once both nonces and g^ir are known.
void derive_keys(IkeSa& sa, const SecretBytes& shared) {
  SecretBytes skeyseed = initial_skeyseed(sa.suite.prf, sa.ni, sa.nr, shared);
  sa.keys = derive_ike_keys(sa.suite, skeyseed, sa.ni, sa.nr, sa.spi_i, sa.spi_r);
}

void log_nat(EngineContext& ctx, IkeSa& sa) {
  if (sa.nat_local) sa_log(ctx, sa, "local host is behind NAT, sending keep alives");
  if (sa.nat_remote) sa_log(ctx, sa, "remote host is behind NAT");
}

}  // namespace

std::vector<Payload> IkeInitTask::build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) {
  const DhGroup group = requested_group_.value_or(config.ike.dh_group);
  if (!sa.dh || sa.dh->group() != group) sa.dh = make_diffie_hellman(group);
  if (sa.ni.empty()) sa.ni = random_nonce(ctx.random);
  std::vector<Payload> out;
  if (!sa.cookie.empty()) out.push_back(notify(NotifyType::cookie, sa.cookie));
  out.push_back(ike_sa_offer(config.ike));
  out.push_back(ke_payload(*sa.dh));
  out.push_back(NoncePayload{sa.ni});
  for (Payload& p : natd_notifies(sa.spi_i, 0, sa.local, sa.remote)) out.push_back(std::move(p));
  return out;
}

TaskStatus IkeInitTask::process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                const Message& response, ByteView raw) {
  if (const NotifyPayload* cookie = response.find_notify(NotifyType::cookie)) {
    if (++retries_ > kMaxInitRetries || cookie->data.empty() || cookie->data.size() > 64) {
      sa.failure = SaFailure{1, "peer keeps asking for a COOKIE"};
      return TaskStatus::failed;
    }
    sa_log(ctx, sa, "received " + std::to_string(cookie->data.size()) +
                        " cookie bytes, retrying IKE_SA_INIT with the COOKIE");
    sa.cookie = cookie->data;
    return TaskStatus::retry;
  }
  if (const NotifyPayload* ke = response.find_notify(NotifyType::invalid_ke_payload)) {
    std::optional<DhGroup> wanted;
    if (ke->data.size() == 2) {
      Transform t;
      t.type = TransformType::dh;
      t.id = static_cast<uint16_t>(ke->data[0] << 8 | ke->data[1]);
      wanted = dh_group_of(t);
    }
    // We offer one group only: the request must name it (a peer that sent
    // our KE back with another group would loop).
    if (!wanted || *wanted != config.ike.dh_group || ++retries_ > kMaxInitRetries) {
      std::string g = ke->data.size() == 2 ? std::to_string(ke->data[0] << 8 | ke->data[1]) : "?";
      sa.failure = SaFailure{1, "peer wants DH group " + g + ", which our IKE policy does not allow"};
      return TaskStatus::failed;
    }
    sa_log(ctx, sa, "peer didn't accept DH group " + std::to_string(static_cast<int>(sa.dh->group())) +
                        ", it requested " + std::to_string(static_cast<int>(*wanted)));
    requested_group_ = wanted;
    sa.dh.reset();
    return TaskStatus::retry;
  }
  if (const NotifyPayload* error = first_error(response)) {
    if (error->type == NotifyType::no_proposal_chosen) {
      ctx.counters.no_proposal++;
      sa.failure = SaFailure{1, "peer refused our IKE proposal " +
                                    describe(ike_sa_offer(config.ike).proposals.front()) +
                                    " (NO_PROPOSAL_CHOSEN)"};
    } else {
      sa.failure = SaFailure{1, "peer answered IKE_SA_INIT with " + name_of(error->type)};
    }
    return TaskStatus::failed;
  }
  const SaPayload* sa_payload = response.find<SaPayload>();
  const KePayload* ke = response.find<KePayload>();
  const NoncePayload* nonce = response.find<NoncePayload>();
  if (sa_payload == nullptr || ke == nullptr || !nonce_ok(nonce) || response.header.spi_r == 0 ||
      sa_payload->proposals.size() != 1) {
    ctx.counters.malformed++;
    sa.failure = SaFailure{1, "invalid IKE_SA_INIT response (missing or bad SA, KE, nonce or SPI)"};
    return TaskStatus::failed;
  }
  auto selected = select_ike_proposal(*sa_payload, config.ike);
  if (!selected) {
    sa_log(ctx, sa, "received proposal is not acceptable: " + selected.error());
    sa.failure = SaFailure{1, "peer chose a proposal we did not offer: " + selected.error()};
    return TaskStatus::failed;
  }
  if (ke->dh_group != static_cast<uint16_t>(selected->suite.dh)) {
    sa.failure = SaFailure{1, "peer's KE is of DH group " + std::to_string(ke->dh_group) +
                                  ", not the negotiated one"};
    return TaskStatus::failed;
  }
  auto shared = sa.dh->shared_secret(ke->data);
  if (!shared) {
    sa.failure = SaFailure{1, std::string("peer's DH public value is invalid: ") +
                                  std::string(name_of(shared.error()))};
    return TaskStatus::failed;
  }
  sa.suite = selected->suite;
  sa.spi_r = response.header.spi_r;
  sa.nr = nonce->data;
  sa.peer_init_message.assign(raw.begin(), raw.end());
  derive_keys(sa, *shared);
  sa.dh.reset();
  sa_log(ctx, sa, "selected proposal: IKE:" + describe(sa.suite));
  process_natd(sa, response);
  log_nat(ctx, sa);
  if (sa.nat()) {
    // RFC 7296 §2.23: once a NAT is detected, IKE moves to port 4500 and
    // ESP is UDP-encapsulated on it.
    sa.local.port = 4500;
    sa.remote.port = 4500;
  }
  return TaskStatus::done;
}

IkeInitAnswer respond_ike_init(EngineContext& ctx, const Datagram& datagram, const Message& request,
                               const std::vector<const TunnelConfig*>& candidates) {
  IkeInitAnswer answer;
  const SaPayload* sa_payload = request.find<SaPayload>();
  const KePayload* ke = request.find<KePayload>();
  const NoncePayload* nonce = request.find<NoncePayload>();
  if (sa_payload == nullptr || ke == nullptr || !nonce_ok(nonce)) {
    ctx.counters.malformed++;
    answer.log.push_back("invalid IKE_SA_INIT request (missing SA, KE or nonce), sending INVALID_SYNTAX");
    answer.payloads.push_back(notify(NotifyType::invalid_syntax));
    return answer;
  }
  std::optional<IkeSelection> selected;
  std::vector<std::string> accepting;
  std::string refusal;
  for (const TunnelConfig* c : candidates) {
    auto s = select_ike_proposal(*sa_payload, c->ike);
    if (!s) {
      if (refusal.empty()) refusal = s.error();
      continue;
    }
    if (!selected) selected = *s;
    if (s->suite == selected->suite) accepting.push_back(c->tunnel_id);
  }
  if (!selected) {
    ctx.counters.no_proposal++;
    answer.log.push_back("received proposals unacceptable: " + refusal);
    answer.log.push_back("no acceptable proposal found, sending NO_PROPOSAL_CHOSEN");
    answer.payloads.push_back(notify(NotifyType::no_proposal_chosen));
    return answer;
  }
  if (ke->dh_group != static_cast<uint16_t>(selected->suite.dh)) {
    answer.log.push_back("DH group " + std::to_string(ke->dh_group) + " unacceptable, requesting " +
                         transform_name(dh_transform(selected->suite.dh)));
    answer.payloads.push_back(notify(NotifyType::invalid_ke_payload, group_bytes(selected->suite.dh)));
    return answer;
  }
  auto sa = std::make_unique<IkeSa>();
  sa->dh = make_diffie_hellman(selected->suite.dh);
  auto shared = sa->dh->shared_secret(ke->data);
  if (!shared) {
    answer.log.push_back(std::string("peer's DH public value is invalid (") +
                         std::string(name_of(shared.error())) + "), sending INVALID_SYNTAX");
    answer.payloads.push_back(notify(NotifyType::invalid_syntax));
    return answer;
  }
  sa->initiator = false;
  sa->spi_i = request.header.spi_i;
  sa->spi_r = random_ike_spi(ctx.random);
  sa->local = datagram.local;
  sa->remote = datagram.remote;
  sa->created_at = ctx.now;
  sa->last_received = ctx.now;
  sa->suite = selected->suite;
  sa->ni = nonce->data;
  sa->nr = random_nonce(ctx.random);
  sa->peer_init_message = datagram.bytes;  // AUTH signs the exact bytes
  sa->peer_next_message_id = 1;
  derive_keys(*sa, *shared);
  process_natd(*sa, request);
  // Logged before the tunnel is set: the engine puts the received message
  // first and then hands the lines to the tunnel.
  sa_log(ctx, *sa, "selected proposal: IKE:" + describe(sa->suite));
  log_nat(ctx, *sa);
  if (accepting.size() == 1)
    sa->tunnel_id = accepting.front();
  else
    sa->candidates = accepting;

  Proposal accepted = selected->accepted;
  accepted.spi.clear();
  answer.payloads.push_back(SaPayload{{accepted}});
  answer.payloads.push_back(ke_payload(*sa->dh));
  answer.payloads.push_back(NoncePayload{sa->nr});
  for (Payload& p : natd_notifies(sa->spi_i, sa->spi_r, sa->local, sa->remote))
    answer.payloads.push_back(std::move(p));
  sa->dh.reset();
  answer.sa = std::move(sa);
  return answer;
}

}  // namespace vpngw::ike
