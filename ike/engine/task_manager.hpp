// The message-ID windows of one IKE SA (window size 1 each way, RFC 7296
// §2.3): our requests run one task at a time and are retransmitted on an
// exponential timer from the stored datagram; the peer's requests are
// answered once and a retransmitted request gets the cached response bytes
// again, without running the responder a second time.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "ike/engine/engine_context.hpp"
#include "ike/engine/ike_sa.hpp"
#include "ike/engine/tasks/task.hpp"
#include "ike/engine/tunnel_config.hpp"

namespace vpngw::ike {

// Queues a task and starts it if no request is in flight.
void queue_task(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                std::unique_ptr<Task> task);

// Starts the next queued task if no request is in flight.
void start_next_task(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config);

// A response from the peer (already decrypted). Drops it unless it answers
// our outstanding request; runs the task's process().
void on_response(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                 const Message& response, ByteView raw);

// Sends the response to `request` and keeps it for retransmits.
void send_response(EngineContext& ctx, IkeSa& sa, const Message& request,
                   std::vector<Payload> payloads);

// What a request numbered `message_id` from the peer is: the next one, a
// retransmit of the last (answered here from the cache), or out of window.
enum class RequestWindow : uint8_t { next, retransmit, invalid };
RequestWindow check_request(EngineContext& ctx, IkeSa& sa, const Message& request);

// Retransmits a due request; sets sa.failure when the last try timed out.
void on_timer(EngineContext& ctx, IkeSa& sa);
std::optional<TimePoint> next_timer(const IkeSa& sa);

// Serializes (IKE_SA_INIT) or seals (everything else) a message of this SA.
Bytes encode(EngineContext& ctx, IkeSa& sa, const Header& header,
             const std::vector<Payload>& payloads);

// A header for a message of this SA.
Header make_header(const IkeSa& sa, ExchangeType exchange, bool response, uint32_t message_id);

// Sends one datagram from sa.local to sa.remote and logs it.
void send_message(EngineContext& ctx, IkeSa& sa, const Message& logged, Bytes datagram);

}  // namespace vpngw::ike
