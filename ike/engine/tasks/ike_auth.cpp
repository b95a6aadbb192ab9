#include "ike/engine/tasks/ike_auth.hpp"

#include "ike/crypto/psk_auth.hpp"
#include "ike/engine/message_log.hpp"
#include "ike/engine/tasks/child_create.hpp"
#include "ike/engine/tasks/payload_parts.hpp"
#include "ike/sa/identity.hpp"

namespace vpngw::ike {

namespace {

// The AUTH payload we send: signs the IKE_SA_INIT message we sent, the
// peer's nonce and our ID (RFC 7296 §2.15).
AuthPayload our_auth(const IkeSa& sa, const TunnelConfig& config, const IdPayload& id) {
  const SecretBytes& sk_p = sa.initiator ? sa.keys->sk_pi : sa.keys->sk_pr;
  const Bytes& other_nonce = sa.initiator ? sa.nr : sa.ni;
  Bytes octets = signed_octets(sa.suite.prf, sa.our_init_message, other_nonce, sk_p, id);
  AuthPayload auth;
  auth.method = AuthMethod::shared_key_mic;
  auth.data = psk_auth_value(sa.suite.prf, as_bytes(config.psk), octets);
  return auth;
}

bool peer_auth_ok(const IkeSa& sa, const TunnelConfig& config, const IdPayload& id,
                  const AuthPayload& auth) {
  if (auth.method != AuthMethod::shared_key_mic) return false;
  const SecretBytes& sk_p = sa.initiator ? sa.keys->sk_pr : sa.keys->sk_pi;
  const Bytes& our_nonce = sa.initiator ? sa.ni : sa.nr;
  Bytes octets = signed_octets(sa.suite.prf, sa.peer_init_message, our_nonce, sk_p, id);
  return verify_psk_auth(sa.suite.prf, as_bytes(config.psk), octets, auth.data);
}

bool identity_matches(const IdPayload& id, const TunnelConfig& c) {
  // A customer gateway of 0.0.0.0 without a remote ID takes any identity:
  // the PSK alone authenticates such a peer.
  if (c.peer_ip.is_unspecified() && c.ike.remote_id.empty()) return true;
  return matches(id, c.ike.remote_id, c.peer_ip);
}

std::string expected_identity(const TunnelConfig& c) {
  return c.ike.remote_id.empty() ? c.peer_ip.str() : c.ike.remote_id.value;
}

}  // namespace

void log_established(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const IdPayload& ours, const IdPayload& theirs) {
  sa_log(ctx, sa, "IKE_SA " + config.name + " established between " + sa.local.address.str() +
                      "[" + describe(ours) + "]..." + sa.remote.address.str() + "[" +
                      describe(theirs) + "]");
}

std::vector<Payload> IkeAuthTask::build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) {
  IdPayload idi = id_payload(PayloadType::idi, config.ike.local_id, config.gateway_ip);
  std::vector<Payload> out;
  out.push_back(idi);
  out.push_back(our_auth(sa, config, idi));
  out.push_back(notify(NotifyType::initial_contact));
  for (Payload& p : child_offer(ctx, sa, config, false, initial_pairs(sa, config)))
    out.push_back(std::move(p));
  sa_log(ctx, sa, "authentication of '" + describe(idi) + "' (myself) with pre-shared key");
  return out;
}

TaskStatus IkeAuthTask::process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                const Message& response, ByteView /*raw*/) {
  const IdPayload* idr = response.find_id(PayloadType::idr);
  const AuthPayload* auth = response.find<AuthPayload>();
  if (idr == nullptr || auth == nullptr) {
    const NotifyPayload* error = first_error(response);
    std::string reason;
    if (error != nullptr && error->type == NotifyType::authentication_failed) {
      ctx.counters.auth_failed++;
      reason = "peer answered AUTHENTICATION_FAILED: it did not accept our PSK or identity";
    } else if (error != nullptr) {
      if (error->type == NotifyType::no_proposal_chosen) ctx.counters.no_proposal++;
      reason = "peer answered IKE_AUTH with " + name_of(error->type);
    } else {
      reason = "peer's IKE_AUTH response lacks IDr or AUTH";
    }
    sa.failure = SaFailure{1, reason};
    return TaskStatus::failed;
  }
  if (!identity_matches(*idr, config)) {
    sa.failure = SaFailure{1, "peer identity '" + describe(*idr) + "' is not the expected '" +
                                  expected_identity(config) + "'"};
    return TaskStatus::failed;
  }
  if (!peer_auth_ok(sa, config, *idr, *auth)) {
    ctx.counters.auth_failed++;
    sa_log(ctx, sa, "verification of AUTH payload of '" + describe(*idr) + "' failed");
    sa.failure = SaFailure{1, "the peer's AUTH does not verify with our PSK (PSK mismatch?)"};
    return TaskStatus::failed;
  }
  sa_log(ctx, sa, "authentication of '" + describe(*idr) + "' with pre-shared key successful");
  sa.state = IkeState::established;
  sa.established_at = ctx.now;
  log_established(ctx, sa, config, id_payload(PayloadType::idi, config.ike.local_id, config.gateway_ip),
                  *idr);
  if (!child_response(ctx, sa, config, response, sa.ni, sa.nr, {}, false)) return TaskStatus::failed;
  return TaskStatus::done;
}

std::vector<Payload> respond_ike_auth(EngineContext& ctx, IkeSa& sa,
                                      const std::vector<const TunnelConfig*>& candidates,
                                      const Message& request) {
  const IdPayload* idi = request.find_id(PayloadType::idi);
  const AuthPayload* auth = request.find<AuthPayload>();
  if (idi == nullptr || auth == nullptr || candidates.empty()) {
    ctx.counters.malformed++;
    sa.failure = SaFailure{1, "peer's IKE_AUTH request lacks IDi or AUTH"};
    return {notify(NotifyType::invalid_syntax)};
  }
  const TunnelConfig* config = nullptr;
  for (const TunnelConfig* c : candidates)
    if (config == nullptr && identity_matches(*idi, *c)) config = c;
  if (config == nullptr) {
    // No tunnel expects this identity: the log goes to every candidate.
    ctx.counters.auth_failed++;
    sa_log(ctx, sa, "no tunnel found for peer identity '" + describe(*idi) +
                        "', sending AUTHENTICATION_FAILED");
    sa.failure = SaFailure{1, "peer identity '" + describe(*idi) + "' is not the expected '" +
                                  expected_identity(*candidates.front()) + "'"};
    return {notify(NotifyType::authentication_failed)};
  }
  sa.tunnel_id = config->tunnel_id;
  sa.candidates.clear();
  for (const std::string& line : sa.pending_log) ctx.observer.on_log(sa.tunnel_id, line);
  sa.pending_log.clear();
  if (!peer_auth_ok(sa, *config, *idi, *auth)) {
    ctx.counters.auth_failed++;
    sa_log(ctx, sa, "verification of AUTH payload of '" + describe(*idi) +
                        "' failed, sending AUTHENTICATION_FAILED");
    sa.failure = SaFailure{1, "the peer's AUTH does not verify with our PSK (PSK mismatch?)"};
    return {notify(NotifyType::authentication_failed)};
  }
  sa_log(ctx, sa, "authentication of '" + describe(*idi) + "' with pre-shared key successful");
  IdPayload idr = id_payload(PayloadType::idr, config->ike.local_id, config->gateway_ip);
  std::vector<Payload> out;
  out.push_back(idr);
  out.push_back(our_auth(sa, *config, idr));
  sa_log(ctx, sa, "authentication of '" + describe(idr) + "' (myself) with pre-shared key");
  sa.state = IkeState::established;
  sa.established_at = ctx.now;
  log_established(ctx, sa, *config, idr, *idi);
  for (Payload& p : child_respond(ctx, sa, *config, request, sa.ni, sa.nr, {}, false))
    out.push_back(std::move(p));
  return out;
}

}  // namespace vpngw::ike
