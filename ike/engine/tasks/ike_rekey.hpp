// Rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296 §1.3.2, §2.18):
//
//   HDR, SK { SA(IKE, new SPIi), Ni, KEi }  -->
//                <--  HDR, SK { SA(IKE, new SPIr), Nr, KEr }
//   (old SA) HDR, SK { D(IKE) }            -->
//
// The new SA's keys come from rekeyed_skeyseed (the old SK_d, the new g^ir
// and both nonces); the CHILD_SAs move over unchanged; the rekey's
// initiator becomes the new SA's original initiator and deletes the old SA.
#pragma once

#include <memory>
#include <vector>

#include "ike/crypto/dh.hpp"
#include "ike/engine/tasks/task.hpp"

namespace vpngw::ike {

class IkeRekeyTask final : public Task {
 public:
  ExchangeType exchange() const override { return ExchangeType::create_child_sa; }
  std::vector<Payload> build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) override;
  TaskStatus process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const Message& response, ByteView raw) override;

 private:
  uint64_t new_spi_ = 0;
  Bytes ni_;
  std::unique_ptr<DiffieHellman> dh_;
};

// Whether a CREATE_CHILD_SA request rekeys the IKE SA (its SA payload
// proposes protocol IKE).
bool is_ike_rekey(const Message& request);

// The responder: builds the successor in sa.rekeyed_to and answers.
std::vector<Payload> respond_ike_rekey(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                       const Message& request);

// When an IKE SA established now should be rekeyed (jittered fraction of
// the policy lifetime).
TimePoint ike_rekey_time(EngineContext& ctx, const TunnelConfig& config);

}  // namespace vpngw::ike
