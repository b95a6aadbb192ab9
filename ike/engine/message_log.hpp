// Connection-log spelling of messages, as strongSwan prints them, so that
// operators can read our log next to their peer's:
//   "sending IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]"
#pragma once

#include <string>

#include "ike/engine/engine_io.hpp"
#include "ike/wire/message.hpp"

namespace vpngw::ike {

// "[ SA KE No N(NATD_S_IP) ]" of the payloads (inner payloads for SK).
std::string payload_summary(const Message& message);

// "IKE_SA_INIT request 0 [ ... ]"
std::string describe_message(const Message& message);

// "192.0.2.1[500]"
std::string describe(const Endpoint& endpoint);

// strongSwan's short notify names ("NATD_S_IP", "AUTH_FAILED", "NO_PROP").
std::string short_notify_name(NotifyType type);

}  // namespace vpngw::ike
