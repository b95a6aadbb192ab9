// IKE_AUTH with pre-shared keys (RFC 7296 §1.2, §2.15) and the tunnel's
// CHILD_SA:
//
//   HDR, SK { IDi, AUTH, N(INITIAL_CONTACT), SAi2, TSi, TSr }  -->
//                         <--  HDR, SK { IDr, AUTH, SAr2, TSi, TSr }
//
// A wrong PSK fails the IKE SA (AUTHENTICATION_FAILED, phase 1); a child
// that cannot be made fails phase 2 with the IKE SA authenticated.
#pragma once

#include <string>
#include <vector>

#include "ike/engine/tasks/task.hpp"

namespace vpngw::ike {

class IkeAuthTask final : public Task {
 public:
  ExchangeType exchange() const override { return ExchangeType::ike_auth; }
  std::vector<Payload> build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) override;
  TaskStatus process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const Message& response, ByteView raw) override;
};

// Responder. `candidates`: the tunnels that may own the SA; IDi picks one
// (sa.tunnel_id is set then). Returns the response payloads; sets
// sa.failure (phase 1: identity or AUTH; phase 2: the child) or sa.child_up.
std::vector<Payload> respond_ike_auth(EngineContext& ctx, IkeSa& sa,
                                      const std::vector<const TunnelConfig*>& candidates,
                                      const Message& request);

// "IKE_SA tunnel established between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]"
void log_established(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const IdPayload& ours, const IdPayload& theirs);

}  // namespace vpngw::ike
