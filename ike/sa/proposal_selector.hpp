// Choosing from a peer's SA payload (RFC 7296 §2.7, §3.3.6): the first
// proposal that contains every transform our policy needs is accepted, and
// the answer holds that proposal's number with one transform of each type.
// A proposal with a transform type or attribute we do not understand, or
// missing a mandatory type, is skipped. When nothing fits, the result is
// the sentence the connection log shows, e.g.
//   "peer offered AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048;
//    we want AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"
//
// The initiator checks the responder's answer with the same functions: the
// answer must be one proposal our policy accepts.
#pragma once

#include <cstdint>
#include <string>

#include "control/model.hpp"
#include "ike/expected.hpp"
#include "ike/suite.hpp"
#include "ike/wire/payloads.hpp"

namespace vpngw::ike {

struct IkeSelection {
  IkeSuite suite;
  // The accepted proposal reduced to the chosen transforms, with the
  // peer's SPI; a responder puts its own SPI in before sending it back.
  Proposal accepted;
};

struct EspSelection {
  EspSuite suite;
  uint32_t peer_spi = 0;  // the SPI the peer will receive on (our outbound SA)
  Proposal accepted;
};

Expected<IkeSelection, std::string> select_ike_proposal(const SaPayload& offered,
                                                        const IkePolicy& ours);

// pfs_applies: the exchange carries a KE (CREATE_CHILD_SA). In IKE_AUTH it
// does not, so DH transforms in the offer are ignored and no group chosen.
Expected<EspSelection, std::string> select_esp_proposal(const SaPayload& offered,
                                                        const IpsecPolicy& ours, bool pfs_applies);

}  // namespace vpngw::ike
