// IkeEngine: datagrams to IKE SAs, and the responder's admission of new
// ones (tunnel lookup, cookies, the half-open cap).
#include <algorithm>

#include "ike/crypto/prf.hpp"
#include "ike/crypto/sk_payload.hpp"
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

std::vector<const TunnelConfig*> IkeEngine::Impl::candidates(Ipv4Addr local, Ipv4Addr remote) {
  std::vector<const TunnelConfig*> exact, any;
  for (const auto& [id, c] : tunnels) {
    if (c.config.gateway_ip != local) continue;
    if (c.config.peer_ip == remote) exact.push_back(&c.config);
    if (c.config.peer_ip.is_unspecified()) any.push_back(&c.config);
  }
  return exact.empty() ? any : exact;
}

void IkeEngine::Impl::send_stateless(EngineContext& /*ctx*/, const Datagram& to,
                                     const Message& request, std::vector<Payload> payloads,
                                     const std::vector<std::string>& log_to) {
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

void IkeEngine::Impl::on_init_request(EngineContext& ctx, const Datagram& dg) {
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
  const std::vector<std::string> received = {"received packet: from " + describe(dg.remote) +
                                                 " to " + describe(dg.local) + " (" +
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
    bool refused =
        !answer.payloads.empty() &&
        std::holds_alternative<NotifyPayload>(answer.payloads.front()) &&
        std::get<NotifyPayload>(answer.payloads.front()).type == NotifyType::no_proposal_chosen;
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

void IkeEngine::Impl::answer_invalid_ike_spi(TimePoint now, const Datagram& dg,
                                             const Header& request) {
  if (now - invalid_spi_window >= std::chrono::seconds(1)) {
    invalid_spi_window = now;
    invalid_spi_in_window = 0;
  }
  if (invalid_spi_in_window >= kInvalidIkeSpiPerSecond) {
    counters.invalid_spi_suppressed++;
    return;
  }
  invalid_spi_in_window++;
  Header h;
  h.spi_i = request.spi_i;
  h.spi_r = request.spi_r;
  h.exchange = request.exchange;
  h.initiator = false;
  h.response = true;
  h.message_id = request.message_id;
  NotifyPayload n;
  n.type = NotifyType::invalid_ike_spi;
  counters.sent++;
  counters.invalid_spi_sent++;
  deps.sender.send(Datagram{dg.local, dg.remote, serialize_message(Message{h, {n}})});
}

Bytes IkeEngine::Impl::cookie_for(const Datagram& dg, const Message& request) {
  const NoncePayload* nonce = request.find<NoncePayload>();
  Bytes seed;
  if (nonce != nullptr) seed = nonce->data;
  for (int i = 0; i < 4; ++i) seed.push_back(dg.remote.address.octet(i));
  for (int i = 0; i < 8; ++i)
    seed.push_back(static_cast<uint8_t>(request.header.spi_i >> (56 - 8 * i)));
  SecretBytes mac = Prf(Integrity::sha256)(cookie_secret, {seed});
  return Bytes(mac.data(), mac.data() + 16);
}

// Half-open SAs (responder, before IKE_AUTH): a cap per peer address,
// and above cookie_threshold in all a COOKIE round trip first.
bool IkeEngine::Impl::admit_half_open(EngineContext& ctx, const Datagram& dg,
                                      const Message& request) {
  uint32_t total = 0, from_peer = 0;
  for (const auto& [spi, sa] : sas) {
    if (sa->initiator || sa->state != IkeState::connecting) continue;
    ++total;
    if (sa->remote.address == dg.remote.address) ++from_peer;
  }
  if (from_peer >= settings.half_open_per_peer) return false;  // dropped: the peer retransmits
  if (total < settings.cookie_threshold) return true;
  const Bytes cookie = cookie_for(dg, request);
  const NotifyPayload* got =
      request.payloads.empty() ? nullptr : std::get_if<NotifyPayload>(&request.payloads.front());
  if (got != nullptr && got->type == NotifyType::cookie && constant_time_equal(got->data, cookie))
    return true;
  NotifyPayload n;
  n.type = NotifyType::cookie;
  n.data = cookie;
  counters.cookies_sent++;
  send_stateless(ctx, dg, request, {n}, {});
  return false;
}

void IkeEngine::Impl::on_sa_message(EngineContext& ctx, IkeSa& sa, const Datagram& dg,
                                    const Header& header) {
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
        sa_log(ctx, sa,
               "integrity check of a " + name_of(header.exchange) + " message failed, dropped");
      } else {
        counters.malformed++;
        sa_log(ctx, sa, "malformed " + name_of(header.exchange) + " message dropped");
      }
      return;
    }
    message = std::move(*opened);
    if (dg.local != sa.local || dg.remote != sa.remote) {
      const bool moved = sa.state == IkeState::established;
      if (moved)
        sa_log(ctx, sa, "peer moved from " + describe(sa.remote) + " to " + describe(dg.remote));
      sa.local = dg.local;
      sa.remote = dg.remote;
      // RFC 7296 §2.23: a NATed peer's new mapping is followed by ESP too.
      if (moved && sa.nat())
        if (const TunnelConfig* config = config_of(sa))
          for (ChildSa& child : sa.children) reinstall_outbound(ctx, sa, *config, child);
    }
  }
  sa_log(ctx, sa,
         "received packet: from " + describe(dg.remote) + " to " + describe(dg.local) + " (" +
             std::to_string(dg.bytes.size()) + " bytes)");
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

}  // namespace vpngw::ike
