#include "ike/engine/task_manager.hpp"

#include <cmath>

#include "ike/crypto/sk_payload.hpp"
#include "ike/engine/message_log.hpp"

namespace vpngw::ike {

namespace {

std::chrono::milliseconds retransmit_delay(const EngineSettings& s, uint32_t sends) {
  double ms = static_cast<double>(s.retransmit_timeout.count()) *
              std::pow(s.retransmit_backoff, static_cast<double>(sends > 0 ? sends - 1 : 0));
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

void send_request(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) {
  Task& task = *sa.active;
  Header header = make_header(sa, task.exchange(), false, sa.next_message_id);
  Message message{header, task.build(ctx, sa, config)};
  if (sa.failure) return;  // build() itself failed (e.g. a DH group we cannot make)
  Bytes datagram = encode(ctx, sa, header, message.payloads);
  if (task.exchange() == ExchangeType::ike_sa_init) sa.our_init_message = datagram;
  OutstandingRequest request;
  request.message_id = header.message_id;
  request.exchange = header.exchange;
  request.datagram = datagram;
  request.sends = 1;
  request.next_send = ctx.now + retransmit_delay(ctx.settings, 1);
  sa.outstanding = std::move(request);
  send_message(ctx, sa, message, std::move(datagram));
}

}  // namespace

Header make_header(const IkeSa& sa, ExchangeType exchange, bool response, uint32_t message_id) {
  Header h;
  h.spi_i = sa.spi_i;
  h.spi_r = exchange == ExchangeType::ike_sa_init && !response ? 0 : sa.spi_r;
  h.exchange = exchange;
  h.initiator = sa.initiator;
  h.response = response;
  h.message_id = message_id;
  return h;
}

Bytes encode(EngineContext& ctx, IkeSa& sa, const Header& header,
             const std::vector<Payload>& payloads) {
  if (header.exchange == ExchangeType::ike_sa_init || !sa.keys)
    return serialize_message(Message{header, payloads});
  return seal_message(header, payloads, sending_keys(sa.suite, *sa.keys, sa.initiator), ctx.random);
}

void send_message(EngineContext& ctx, IkeSa& sa, const Message& logged, Bytes datagram) {
  sa_log(ctx, sa, "sending " + describe_message(logged));
  sa_log(ctx, sa, "sending packet: from " + describe(sa.local) + " to " + describe(sa.remote) +
                      " (" + std::to_string(datagram.size()) + " bytes)");
  ctx.counters.sent++;
  ctx.sender.send(Datagram{sa.local, sa.remote, std::move(datagram)});
}

void queue_task(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                std::unique_ptr<Task> task) {
  sa.queue.push_back(std::move(task));
  start_next_task(ctx, sa, config);
}

void start_next_task(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) {
  if (sa.active || sa.queue.empty() || sa.failure || sa.state == IkeState::dead) return;
  sa.active = std::move(sa.queue.front());
  sa.queue.pop_front();
  send_request(ctx, sa, config);
}

void on_response(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                 const Message& response, ByteView raw) {
  if (!sa.active || !sa.outstanding || response.header.message_id != sa.outstanding->message_id ||
      response.header.exchange != sa.outstanding->exchange) {
    sa_log(ctx, sa, "ignoring unexpected " + describe_message(response));
    return;
  }
  TaskStatus status = sa.active->process(ctx, sa, config, response, raw);
  sa.outstanding.reset();
  switch (status) {
    case TaskStatus::done:
      sa.active.reset();
      sa.next_message_id++;
      start_next_task(ctx, sa, config);
      break;
    case TaskStatus::retry:
      send_request(ctx, sa, config);  // same message ID (0: IKE_SA_INIT again)
      break;
    case TaskStatus::failed:
      sa.active.reset();
      sa.next_message_id++;
      if (!sa.failure) sa.failure = SaFailure{1, "negotiation failed"};
      break;
  }
}

void send_response(EngineContext& ctx, IkeSa& sa, const Message& request,
                   std::vector<Payload> payloads) {
  Header header = make_header(sa, request.header.exchange, true, request.header.message_id);
  Message message{header, std::move(payloads)};
  Bytes datagram = encode(ctx, sa, header, message.payloads);
  if (header.exchange == ExchangeType::ike_sa_init) sa.our_init_message = datagram;
  sa.cached_response = CachedResponse{header.message_id, datagram};
  send_message(ctx, sa, message, std::move(datagram));
}

RequestWindow check_request(EngineContext& ctx, IkeSa& sa, const Message& request) {
  uint32_t id = request.header.message_id;
  if (id == sa.peer_next_message_id) return RequestWindow::next;
  if (sa.cached_response && id == sa.cached_response->message_id) {
    sa_log(ctx, sa, "received retransmit of request with ID " + std::to_string(id) +
                        ", retransmitting response");
    ctx.counters.sent++;
    ctx.counters.retransmits++;
    ctx.sender.send(Datagram{sa.local, sa.remote, sa.cached_response->datagram});
    return RequestWindow::retransmit;
  }
  sa_log(ctx, sa, "received request with message ID " + std::to_string(id) + ", expected " +
                      std::to_string(sa.peer_next_message_id) + ": ignored");
  return RequestWindow::invalid;
}

void on_timer(EngineContext& ctx, IkeSa& sa) {
  if (!sa.outstanding || sa.outstanding->next_send > ctx.now) return;
  OutstandingRequest& r = *sa.outstanding;
  if (r.sends >= ctx.settings.retransmit_tries) {
    std::string what = name_of(r.exchange) + " request " + std::to_string(r.message_id);
    sa_log(ctx, sa, "giving up after " + std::to_string(r.sends) + " transmits of " + what);
    bool phase2 = sa.state == IkeState::established && r.exchange == ExchangeType::create_child_sa;
    sa.failure = SaFailure{phase2 ? 2 : 1,
                           "peer did not answer " + what + " (" + std::to_string(r.sends) +
                               " transmits)",
                           sa.state == IkeState::established};
    sa.outstanding.reset();
    sa.active.reset();
    return;
  }
  r.sends++;
  r.next_send = ctx.now + retransmit_delay(ctx.settings, r.sends);
  sa_log(ctx, sa, "retransmit " + std::to_string(r.sends - 1) + " of request with message ID " +
                      std::to_string(r.message_id));
  ctx.counters.sent++;
  ctx.counters.retransmits++;
  ctx.sender.send(Datagram{sa.local, sa.remote, r.datagram});
}

std::optional<TimePoint> next_timer(const IkeSa& sa) {
  if (!sa.outstanding) return std::nullopt;
  return sa.outstanding->next_send;
}

}  // namespace vpngw::ike
