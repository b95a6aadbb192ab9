// The last step of an SA's life, on the control thread, after the grace
// period: run the destructor (which wipes the keys), then overwrite the whole
// object with a poison pattern before returning the memory. A worker that
// wrongly kept a pointer then reads an SPI and sa_id of 0xdddddddd instead of
// plausible stale values, which the stress test checks for.
#pragma once

#include <cstdint>

#include "dataplane/sa_runtime.hpp"

namespace vpngw::dataplane {

inline constexpr uint8_t kSaPoisonByte = 0xdd;

// `sa` must come from make_inbound_sa/make_outbound_sa (released from its
// unique_ptr). Null is ignored.
void destroy_sa(InboundSa* sa) noexcept;
void destroy_sa(OutboundSa* sa) noexcept;

}  // namespace vpngw::dataplane
