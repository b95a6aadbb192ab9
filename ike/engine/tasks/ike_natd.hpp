// NAT detection (RFC 7296 §2.23) for IKE_SA_INIT: the two notifies we send
// and what the peer's say about NATs between us.
#pragma once

#include <vector>

#include "ike/engine/engine_io.hpp"
#include "ike/engine/ike_sa.hpp"
#include "ike/wire/message.hpp"

namespace vpngw::ike {

// NAT_DETECTION_SOURCE_IP (our address as we know it) and _DESTINATION_IP
// (the peer's as we address it), hashed with the message's SPIs.
std::vector<Payload> natd_notifies(uint64_t spi_i, uint64_t spi_r, const Endpoint& source,
                                   const Endpoint& destination);

// Compares the peer's hashes in `message` with sa.local/sa.remote as we see
// them and sets sa.nat_local / sa.nat_remote. A peer that sends none does
// not do NAT-T: both stay false.
void process_natd(IkeSa& sa, const Message& message);

}  // namespace vpngw::ike
