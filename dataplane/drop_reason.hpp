// Why the dataplane drops a packet: one closed list for the whole worker.
// The ESP core (encap/decap), the I/O layer (worker loop, ARP/ICMP, punt,
// TX) and the forwarding stages (route, SPD, SA, TTL, MTU, cap, next hop)
// all count into arrays indexed by this enum: a worker's WorkerIoCounters
// and, for reasons tied to an SA, the SA's own SaUsage. The name table below
// is what the daemon's JSON, the CLI and docs/dataplane.md use.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vpngw::dataplane {

enum class DropReason : uint8_t {
  // --- the ESP core (also counted per SA) ---
  malformed,          // truncated or inconsistent headers or lengths
  fragmented,         // outer IPv4 fragment not reassembled (timed out, too big, not ours)
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
  // --- the forwarding stages ---
  not_ipv4,           // Ethernet payload is not IPv4, or its header is not sane
  not_esp,            // public-port packet that is neither ESP nor ESP-in-UDP 4500
  no_route,           // outbound: no VPC route for the inner destination
  no_policy,          // outbound: no SPD rule of the gateway matches the packet
  no_sa,              // no SA installed for the SPD rule or the SPI
  over_cap,           // outbound: over the gateway's bandwidth cap
  no_next_hop,        // the egress port has no next hop for the destination
  handoff_full,       // the owning worker's handoff ring was full
  no_headroom,        // no room to put the Ethernet header back
  ttl_exceeded,       // inner TTL <= 1: not forwarded (ICMP time exceeded sent)
  too_big,            // DF set and the ESP packet would exceed the public MTU
                      // (ICMP fragmentation needed sent)
  no_mbuf,            // could not fragment the inner packet (no mbuf left)
  // --- the I/O layer ---
  not_for_us,         // ARP request for an address the appliance does not own
  no_neighbour,       // next hop did not answer ARP in time (packets held for it)
  neighbour_queue_full,  // next hop being resolved and no room to hold the packet
  punt_ring_full,     // the control thread is behind: IKE packet dropped
  no_handler,         // ESP/transit traffic while no forwarding hook is installed
  tx_full,            // the port's TX queue did not take the packet
};

inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::tx_full) + 1;

struct DropReasonInfo {
  DropReason reason;
  std::string_view name;
  std::string_view description;
};

inline constexpr std::array<DropReasonInfo, kDropReasonCount> kDropReasons{{
    {DropReason::malformed, "malformed",
     "truncated or inconsistent headers or lengths, or a bad checksum on a ping to us"},
    {DropReason::fragmented, "fragmented",
     "outer IPv4 fragment not reassembled (timed out, table full, too big, not ESP to us)"},
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
    {DropReason::not_ipv4, "not_ipv4", "not an IPv4 packet with a sane header"},
    {DropReason::not_esp, "not_esp", "public-port packet that is not ESP"},
    {DropReason::no_route, "no_route", "no VPC route for the destination"},
    {DropReason::no_policy, "no_policy", "no SPD rule of the gateway matches"},
    {DropReason::no_sa, "no_sa", "no SA installed for the policy or SPI"},
    {DropReason::over_cap, "over_cap", "over the gateway's bandwidth cap"},
    {DropReason::no_next_hop, "no_next_hop", "egress port has no next hop"},
    {DropReason::handoff_full, "handoff_full", "owning worker's handoff ring full"},
    {DropReason::no_headroom, "no_headroom", "no room for the Ethernet header"},
    {DropReason::ttl_exceeded, "ttl_exceeded", "inner TTL expired (ICMP time exceeded sent)"},
    {DropReason::too_big, "too_big",
     "DF set and too big for the public MTU after ESP (ICMP fragmentation needed sent)"},
    {DropReason::no_mbuf, "no_mbuf", "could not fragment the packet (no mbuf left)"},
    {DropReason::not_for_us, "not_for_us", "ARP request for an address we do not own"},
    {DropReason::no_neighbour, "no_neighbour",
     "next hop did not answer ARP within 3 s (the packets held for it are dropped)"},
    {DropReason::neighbour_queue_full, "neighbour_queue_full",
     "next hop being resolved and its queue full (3 packets each, 64 addresses per worker)"},
    {DropReason::punt_ring_full, "punt_ring_full", "control thread's punt ring is full"},
    {DropReason::no_handler, "no_handler", "no forwarding stage installed for this traffic"},
    {DropReason::tx_full, "tx_full", "transmit queue full"},
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

constexpr bool drop_names_are_unique() {
  for (size_t i = 0; i < kDropReasons.size(); ++i)
    for (size_t j = i + 1; j < kDropReasons.size(); ++j)
      if (kDropReasons[i].name == kDropReasons[j].name) return false;
  return true;
}
static_assert(drop_names_are_unique(), "kDropReasons names must be unique");

}  // namespace vpngw::dataplane
