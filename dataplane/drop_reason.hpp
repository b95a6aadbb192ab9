// Why the ESP stages drop a packet. One table names every reason, so counters,
// the CLI and the docs all use the same words.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vpngw::dataplane {

enum class DropReason : uint8_t {
  malformed,          // truncated or inconsistent outer/ESP lengths
  fragmented,         // outer IPv4 fragment: must be reassembled before ESP
  chained_mbuf,       // multi-segment mbufs are not handled by the ESP core
  no_buffer_space,    // not enough headroom/tailroom to add ESP
  spi_mismatch,       // the packet's SPI is not the SA's
  auth_failed,        // ICV/tag did not verify
  replay,             // sequence number already seen
  outside_window,     // sequence number left of the replay window
  bad_padding,        // padding bytes not 1, 2, 3, ... or longer than the payload
  bad_next_header,    // next header is not IPv4 (4)
  dummy_packet,       // next header 59: TFC dummy packet, discarded by RFC 4303
  bad_inner_header,   // decrypted inner IPv4 header is not sane
  selector_mismatch,  // inner addresses outside the SA's traffic selectors
  sa_expired,         // hard lifetime (bytes/packets) reached
  seq_overflow,       // outbound sequence number space exhausted
  crypto_error,       // IPsec-MB refused or failed the job
};

inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::crypto_error) + 1;

struct DropReasonInfo {
  DropReason reason;
  std::string_view name;
  std::string_view description;
};

inline constexpr std::array<DropReasonInfo, kDropReasonCount> kDropReasons{{
    {DropReason::malformed, "malformed", "truncated or inconsistent packet lengths"},
    {DropReason::fragmented, "fragmented", "outer IPv4 fragment not reassembled"},
    {DropReason::chained_mbuf, "chained_mbuf", "multi-segment packet not supported"},
    {DropReason::no_buffer_space, "no_buffer_space", "not enough head/tail room for ESP"},
    {DropReason::spi_mismatch, "spi_mismatch", "SPI does not belong to the SA"},
    {DropReason::auth_failed, "auth_failed", "integrity check failed"},
    {DropReason::replay, "replay", "sequence number already received"},
    {DropReason::outside_window, "outside_window", "sequence number older than the replay window"},
    {DropReason::bad_padding, "bad_padding", "ESP padding is not 1, 2, 3, ..."},
    {DropReason::bad_next_header, "bad_next_header", "inner protocol is not IPv4"},
    {DropReason::dummy_packet, "dummy_packet", "traffic-flow-confidentiality dummy packet"},
    {DropReason::bad_inner_header, "bad_inner_header", "decrypted inner IPv4 header is invalid"},
    {DropReason::selector_mismatch, "selector_mismatch",
     "inner addresses outside the SA's selectors"},
    {DropReason::sa_expired, "sa_expired", "SA hard lifetime reached"},
    {DropReason::seq_overflow, "seq_overflow", "outbound sequence numbers exhausted"},
    {DropReason::crypto_error, "crypto_error", "crypto library rejected the job"},
}};

constexpr size_t index_of(DropReason r) { return static_cast<size_t>(r); }

constexpr std::string_view name_of(DropReason r) { return kDropReasons[index_of(r)].name; }

// The table is indexed by the enum: every entry must sit at its own index.
constexpr bool drop_table_is_indexed() {
  for (size_t i = 0; i < kDropReasons.size(); ++i)
    if (index_of(kDropReasons[i].reason) != i) return false;
  return true;
}
static_assert(drop_table_is_indexed(), "kDropReasons must list reasons in enum order");

}  // namespace vpngw::dataplane
