// INFORMATIONAL exchanges (RFC 7296 §1.4): Delete of the IKE SA or of
// CHILD_SAs, and the empty liveness check (DPD).
//
//   HDR, SK { [D] }  -->
//                   <--  HDR, SK { [D] }
#pragma once

#include <vector>

#include "ike/engine/tasks/task.hpp"

namespace vpngw::ike {

// We close the IKE SA (and with it its CHILD_SAs).
class DeleteIkeTask final : public Task {
 public:
  ExchangeType exchange() const override { return ExchangeType::informational; }
  std::vector<Payload> build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) override;
  TaskStatus process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const Message& response, ByteView raw) override;
};

// An empty INFORMATIONAL: the peer's answer proves it alive.
class DpdTask final : public Task {
 public:
  ExchangeType exchange() const override { return ExchangeType::informational; }
  std::vector<Payload> build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) override;
  TaskStatus process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const Message& response, ByteView raw) override;
};

// We delete CHILD_SAs (their inbound SPIs go in the Delete payload).
class DeleteChildTask final : public Task {
 public:
  explicit DeleteChildTask(std::vector<uint32_t> spis_in) : spis_in_(std::move(spis_in)) {}
  ExchangeType exchange() const override { return ExchangeType::informational; }
  std::vector<Payload> build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) override;
  TaskStatus process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const Message& response, ByteView raw) override;

 private:
  std::vector<uint32_t> spis_in_;
};

// The responder: a Delete of the IKE SA marks it dead (sa.peer_deleted);
// a Delete of CHILD_SAs retires them and answers with ours (a child that
// replaced the deleted one in a rekey gets its outbound SA switched on
// first); an empty request is answered empty. `config` may be null when the
// SA has no tunnel yet.
std::vector<Payload> respond_informational(EngineContext& ctx, IkeSa& sa,
                                           const TunnelConfig* config, const Message& request);

}  // namespace vpngw::ike
