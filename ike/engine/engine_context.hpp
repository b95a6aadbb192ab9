// What every part of the engine reaches the outside world through during one
// entry point (on_datagram, tick, ...): the injected interfaces, settings,
// counters and the time of the call. A plain aggregate of references, made
// per call by IkeEngine, so no part of the engine reads a clock or a global.
#pragma once

#include "ike/crypto/random.hpp"
#include "ike/engine/engine.hpp"
#include "ike/engine/engine_io.hpp"

namespace vpngw::ike {

struct EngineContext {
  PacketSender& sender;
  SaInstaller& installer;
  TunnelObserver& observer;
  RandomSource& random;
  const EngineSettings& settings;
  EngineCounters& counters;
  TimePoint now;
};

}  // namespace vpngw::ike
