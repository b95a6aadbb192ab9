// IKE_SA_INIT (RFC 7296 §1.2): SA, KE, nonces and NAT detection; the
// initiator's retries with a COOKIE (§2.6) or the group the responder asks
// for in INVALID_KE_PAYLOAD (§1.3).
//
//   HDR, [N(COOKIE),] SAi1, KEi, Ni, N(NATD_S_IP), N(NATD_D_IP)  -->
//                  <--  HDR, SAr1, KEr, Nr, N(NATD_S_IP), N(NATD_D_IP)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ike/engine/tasks/task.hpp"

namespace vpngw::ike {

class IkeInitTask final : public Task {
 public:
  ExchangeType exchange() const override { return ExchangeType::ike_sa_init; }
  std::vector<Payload> build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) override;
  TaskStatus process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const Message& response, ByteView raw) override;

 private:
  std::optional<DhGroup> requested_group_;  // from INVALID_KE_PAYLOAD
  int retries_ = 0;                         // COOKIE / INVALID_KE rounds
};

// The responder's answer to an IKE_SA_INIT request.
struct IkeInitAnswer {
  std::unique_ptr<IkeSa> sa;       // the new half-open SA; null: answer statelessly
  std::vector<Payload> payloads;   // the response (the SA's, or the stateless error)
  std::vector<std::string> log;    // lines for the candidate tunnels' logs when stateless
};

// `candidates`: the tunnels that may own the SA (several only for
// respond-only tunnels whose customer gateway is 0.0.0.0). The first whose
// IKE policy accepts the offer decides the suite; the others that accept
// the same suite stay candidates until IKE_AUTH names the peer.
IkeInitAnswer respond_ike_init(EngineContext& ctx, const Datagram& datagram, const Message& request,
                               const std::vector<const TunnelConfig*>& candidates);

}  // namespace vpngw::ike
