// Next-hop resolution on the control thread: which addresses the neighbour
// table holds, in what state, for how long. The workers read the table
// (NeighbourTable); this decides what goes in, from three inputs:
//  - want(): a worker (ResolveRequests) or IKE needs an address's MAC;
//  - on_arp(): what the workers saw of ARP (ArpObservation);
//  - tick(): time passing (retransmissions, aging, probes, expiry).
// It sends ARP through the callback it is given, so it runs and is tested
// without ports.
//
// States follow Linux's neighbour cache (NUD), simplified:
//   incomplete  broadcast requests, `retransmit` apart, `probes` of them;
//               unanswered -> removed (the workers drop what they held)
//   reachable   confirmed (a reply, or a request to us) within `reachable`
//   stale       older than that; the MAC is still used. Used by a worker
//               since -> probe; unused for `stale_expiry` -> removed
//   probe       unicast requests to the known MAC, `probes` of them;
//               answered -> reachable, unanswered -> removed
// Configured next hops are permanent: resolved at start, never expired,
// and re-resolved when they stop answering. Static entries (`fixed`, listed
// as "static") have a MAC the operator set: never asked for, aged or
// changed by ARP.
//
// Hostile input is bounded: at most `max_entries` entries; a request from
// an unknown sender creates one only while entries so created stay below
// `max_unsolicited` (a spoofed-ARP flood cannot fill the table); a reply
// from an address we did not ask for is ignored (as Linux's arp_accept=0);
// at most `max_incomplete` resolutions at once; ARP sent at most
// `arp_per_second` per port. Only senders on the port's own subnet (or its
// next hop) with a unicast MAC are learned. Every refusal is counted.
#pragma once

#include <rte_ether.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "common/net.hpp"
#include "dataplane/io/address_set.hpp"
#include "dataplane/io/arp_observations.hpp"
#include "dataplane/io/neighbour_table.hpp"

namespace vpngw::dataplane::io {

enum class NeighbourState : uint8_t { incomplete, reachable, stale, probe, fixed };
std::string_view name_of(NeighbourState s);

struct NeighbourConfig {
  std::chrono::milliseconds retransmit{1000};
  uint32_t probes = 3;
  std::chrono::milliseconds reachable{30000};
  std::chrono::milliseconds stale_expiry{60000};
  uint32_t max_entries = 1024;
  uint32_t max_unsolicited = 256;
  uint32_t max_incomplete = 128;
  uint32_t arp_per_second = 100;
};

// A port as the resolver sees it (host byte order).
struct NeighbourPort {
  Ipv4Addr address;
  uint8_t prefix_len = 24;
  Ipv4Addr next_hop;  // 0.0.0.0: none
  // More addresses of ours on the port (the gateways' public IPs); may be
  // null. Never a neighbour.
  const AddressSet* extra_addresses = nullptr;
};

struct NeighbourCounters {
  uint64_t requests_sent = 0;      // broadcast ARP requests (resolutions)
  uint64_t probes_sent = 0;        // unicast ARP requests (re-validations)
  uint64_t learned = 0;            // entries that got a MAC
  uint64_t mac_changed = 0;        // a known neighbour's MAC changed
  uint64_t confirmed = 0;          // replies or requests confirming an entry
  uint64_t resolve_failed = 0;     // incomplete entries never answered
  uint64_t probe_failed = 0;       // stale entries that stopped answering
  uint64_t expired = 0;            // stale entries unused for stale_expiry
  uint64_t evicted = 0;            // stale entries removed to make room
  uint64_t unsolicited_ignored = 0;  // replies for addresses we did not ask for
  uint64_t unsolicited_refused = 0;  // requests from new senders over max_unsolicited
  uint64_t invalid_ignored = 0;    // off-subnet sender, our own address, bad MAC
  uint64_t table_full = 0;         // no room for a resolution
  uint64_t rate_limited = 0;       // ARP not sent (over arp_per_second): sent later
  uint64_t static_kept = 0;        // ARP claiming a static entry's address with another MAC
};

struct NeighbourView {
  uint16_t port_index = 0;
  Ipv4Addr ip;
  std::optional<rte_ether_addr> mac;
  NeighbourState state = NeighbourState::incomplete;
  std::chrono::milliseconds age{0};  // since last confirmed (incomplete: since asked)
  bool permanent = false;
};

class NeighbourResolver {
 public:
  using Clock = std::chrono::steady_clock;
  // Sends an ARP request for `target` on the port: broadcast, or unicast to
  // `to` when not null. False when it could not be queued.
  using SendArp = std::function<bool(uint16_t port_index, Ipv4Addr target, const rte_ether_addr* to)>;

  NeighbourResolver(NeighbourTable& table, std::vector<NeighbourPort> ports, SendArp send,
                    NeighbourConfig config = {});

  // A configured next hop: resolved now and kept for good.
  void add_permanent(uint16_t port_index, Ipv4Addr ip, Clock::time_point now);
  // An operator's static entry: in the table at once, for good. False when
  // the address is not on the port's link or the table is full.
  bool add_static(uint16_t port_index, Ipv4Addr ip, const rte_ether_addr& mac, Clock::time_point now);
  // Someone needs ip's MAC on the port. Starts resolution when unknown.
  void want(uint16_t port_index, Ipv4Addr ip, Clock::time_point now);
  void on_arp(const ArpObservation& seen, Clock::time_point now);
  void tick(Clock::time_point now);

  std::vector<NeighbourView> list(Clock::time_point now) const;
  const NeighbourCounters& counters() const { return counters_; }
  const NeighbourConfig& config() const { return config_; }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint16_t port_index = 0;
    // A new entry is stale until set_state() (which keeps incomplete_)
    // gives it another state.
    NeighbourState state = NeighbourState::stale;
    std::optional<rte_ether_addr> mac;
    Clock::time_point since;      // entered this state
    Clock::time_point confirmed;  // last confirmation (or creation)
    Clock::time_point next_send;  // incomplete/probe: next request
    uint32_t sent = 0;            // requests sent in this state
    bool permanent = false;
    bool unsolicited = false;  // created by a request from an unknown sender
  };
  struct Bucket {  // ARP send budget per port
    double tokens = 0;
    Clock::time_point refilled;
  };

  bool valid_neighbour(uint16_t port_index, Ipv4Addr ip) const;
  bool make_room(Clock::time_point now);
  void set_state(Entry& e, NeighbourState s, Clock::time_point now);
  void start_resolving(uint16_t port_index, Ipv4Addr ip, Entry& e, Clock::time_point now);
  // Sends the next request of an incomplete or probe entry; false when the
  // budget said no (retried on a later tick).
  bool send_request(uint16_t port_index, Ipv4Addr ip, const Entry& e, Clock::time_point now);
  void set_mac(Ipv4Addr ip, Entry& e, const rte_ether_addr& mac);
  void remove(std::map<uint32_t, Entry>::iterator it);

  NeighbourTable& table_;
  std::vector<NeighbourPort> ports_;
  SendArp send_;
  NeighbourConfig config_;
  std::map<uint32_t, Entry> entries_;  // by address (host order)
  std::vector<Bucket> buckets_;
  size_t unsolicited_ = 0;
  size_t incomplete_ = 0;
  NeighbourCounters counters_;
};

}  // namespace vpngw::dataplane::io
