// Rekeying the tunnel's CHILD_SA with CREATE_CHILD_SA (RFC 7296 §1.3.3),
// make-before-break:
//
//   HDR, SK { N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr }  -->
//                    <--  HDR, SK { SA, Nr, [KEr,] TSi, TSr }
//   HDR, SK { D(old SPI) }                             -->
//                    <--  HDR, SK { D(old SPI) }
//
// The responder installs its new inbound SA before answering and registers
// the new outbound SA; the initiator installs both on the answer (its
// outbound switch is safe: the responder's inbound exists), then deletes
// the old SAs. The responder switches its outbound when that Delete
// arrives. Old inbound SAs stay for old_sa_grace. With PFS (ipsec.pfs) the
// exchange carries a KE of that group.
#pragma once

#include <memory>
#include <vector>

#include "ike/crypto/dh.hpp"
#include "ike/engine/tasks/task.hpp"

namespace vpngw::ike {

class ChildRekeyTask final : public Task {
 public:
  explicit ChildRekeyTask(uint32_t old_spi_in) : old_spi_in_(old_spi_in) {}
  ExchangeType exchange() const override { return ExchangeType::create_child_sa; }
  std::vector<Payload> build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) override;
  TaskStatus process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const Message& response, ByteView raw) override;

 private:
  uint32_t old_spi_in_;
  uint32_t new_spi_ = 0;
  Bytes ni_;
  std::unique_ptr<DiffieHellman> dh_;
};

// A new CHILD_SA for one SPD pair no CHILD_SA serves yet (after IKE_AUTH's,
// or after the peer deleted the one that served it):
//
//   HDR, SK { SA, Ni, [KEi,] TSi, TSr }  -->
//                    <--  HDR, SK { SA, Nr, [KEr,] TSi, TSr }
//
// A failure (error notify, selectors outside the pair) costs only this
// pair: it is logged as a phase 2 failure and retried after
// failed_retry_interval; the IKE SA and the other CHILD_SAs stay.
class ChildCreateTask final : public Task {
 public:
  explicit ChildCreateTask(SpdPair pair) : pair_(pair) {}
  ExchangeType exchange() const override { return ExchangeType::create_child_sa; }
  std::vector<Payload> build(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config) override;
  TaskStatus process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                     const Message& response, ByteView raw) override;

 private:
  SpdPair pair_;
  uint32_t new_spi_ = 0;
  Bytes ni_;
  std::unique_ptr<DiffieHellman> dh_;
};

// The responder's answer to CREATE_CHILD_SA for ESP: with N(REKEY_SA) a
// rekey of that CHILD_SA (CHILD_SA_NOT_FOUND when we have no such child,
// TEMPORARY_FAILURE while we are deleting it, RFC 7296 §2.25); without, a
// new CHILD_SA narrowed to the tunnel's SPD pairs (TS_UNACCEPTABLE when
// none matches, NO_PROPOSAL_CHOSEN on a suite mismatch).
std::vector<Payload> respond_child_rekey(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                         const Message& request);

// Whether `child` is due for a rekey at ctx.now (and not already rekeying).
bool rekey_due(const EngineContext& ctx, const ChildSa& child);

}  // namespace vpngw::ike
