// A task: one exchange we initiate, in strongSwan's model (STYLE.md §5).
// build() makes the request's payloads; process() takes the response. The
// task manager owns message IDs, encryption and retransmission; the
// responder's side of each exchange is a function in the same file as its
// task (tasks/*.hpp), since answering needs no state between messages.
#pragma once

#include <vector>

#include "ike/bytes.hpp"
#include "ike/engine/engine_context.hpp"
#include "ike/engine/ike_sa.hpp"
#include "ike/engine/tunnel_config.hpp"
#include "ike/wire/message.hpp"

namespace vpngw::ike {

enum class TaskStatus : uint8_t {
  done,    // the exchange completed; the next task may start
  retry,   // send the request again, rebuilt (IKE_SA_INIT with a COOKIE or another group)
  failed,  // sa.failure says why; the IKE SA is closed
};

class Task {
 public:
  virtual ~Task() = default;
  virtual ExchangeType exchange() const = 0;
  virtual std::vector<Payload> build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) = 0;
  // `raw` is the response datagram as received (IKE_SA_INIT's AUTH signs it).
  virtual TaskStatus process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                             const Message& response, ByteView raw) = 0;
};

// The peer's error notify in a message, if any (the first one).
const NotifyPayload* first_error(const Message& message);

}  // namespace vpngw::ike
