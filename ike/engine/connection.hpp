// One tunnel's lifecycle in the engine: its configuration, the IKE SA that
// currently carries it, its connection status as the control plane sees
// it, and PRODUCT.md's retry rule (a failed negotiation is retried
// `negotiation_retries` times, then the status shows phaseN_failed with
// the reason and it is retried every `failed_retry_interval`).
#pragma once

#include <optional>
#include <string>

#include "control/model.hpp"
#include "ike/engine/engine_io.hpp"
#include "ike/engine/tunnel_config.hpp"

namespace vpngw::ike {

struct Connection {
  TunnelConfig config;
  uint64_t ike_spi = 0;  // our SPI of the IKE SA that carries the tunnel (0: none)
  std::optional<ConnectionStatus> status;  // last status reported to the observer
  std::string reason;
  uint32_t attempts = 0;  // failed negotiations since the last success
  std::optional<TimePoint> retry_at;
  std::string last_error;
  // DPD: when the last liveness check was sent (or traffic last seen).
  TimePoint last_alive{};
  bool initiates() const { return !config.respond_only() && config.start_action == StartAction::start; }
};

// "connecting", "connected", "phase1_failed", "phase2_failed" (the
// control plane's names; ike/ does not link control/'s tables).
std::string status_name(ConnectionStatus status);

}  // namespace vpngw::ike
