// Traffic selectors of the one CHILD_SA per tunnel: our CIDRs as TS
// payload entries, narrowing a peer's offer to our configuration
// (RFC 7296 §2.9: the responder answers with the intersection), and
// negotiated ranges back into the CIDRs the dataplane's SaParams hold.
#pragma once

#include <vector>

#include "common/net.hpp"
#include "ike/engine/engine_io.hpp"
#include "ike/wire/payloads.hpp"

namespace vpngw::ike {

std::vector<TrafficSelector> selectors_of(const std::vector<Cidr>& cidrs);

// Every non-empty intersection of an offered IPv4 selector with one of
// ours (IPv6 selectors and empty overlaps are dropped); protocol and ports
// of the offer are kept. Empty result: TS_UNACCEPTABLE.
std::vector<TrafficSelector> narrow(const std::vector<TrafficSelector>& offered,
                                    const std::vector<Cidr>& ours);

// The smallest list of CIDRs covering [first, last].
std::vector<Cidr> range_to_cidrs(Ipv4Addr first, Ipv4Addr last);

// All IPv4 selectors as CIDRs, deduplicated.
std::vector<Cidr> cidrs_of(const std::vector<TrafficSelector>& selectors);

// The SPD pairs a CHILD_SA with these selectors carries traffic of: both
// the pair's local and peer CIDR overlap the CHILD_SA's selectors.
std::vector<SpdPair> pairs_served(const std::vector<TrafficSelector>& local_ts,
                                  const std::vector<TrafficSelector>& remote_ts,
                                  const std::vector<SpdPair>& pairs);

// The largest set of `candidates` (in order, the first always kept) whose
// locals x peers cross product lies inside `spd`: what one CHILD_SA may
// carry without admitting traffic no SPD rule allows.
std::vector<SpdPair> rectangle(const std::vector<SpdPair>& candidates,
                               const std::vector<SpdPair>& spd);

// The distinct local / peer CIDRs of some pairs, in order.
std::vector<Cidr> locals_of(const std::vector<SpdPair>& pairs);
std::vector<Cidr> peers_of(const std::vector<SpdPair>& pairs);

// RFC 7296 §2.9 narrowing of a peer's CHILD_SA offer (`peer_side` = its
// TSi as responder, `our_side` = its TSr) to the tunnel's SPD pairs: the
// pairs overlapping the offer (those holding the offer's first selectors,
// the packet that triggered it, first), cut to a rectangle, intersected
// with the offer. False when no pair overlaps (TS_UNACCEPTABLE).
bool narrow_to_pairs(const std::vector<TrafficSelector>& peer_side,
                     const std::vector<TrafficSelector>& our_side,
                     const std::vector<SpdPair>& spd, std::vector<TrafficSelector>* local_ts,
                     std::vector<TrafficSelector>* remote_ts);

// "10.0.0.0/24" (and " proto 6 ports 80-80" when not "any").
std::string describe(const TrafficSelector& ts);
std::string describe(const std::vector<TrafficSelector>& selectors);

}  // namespace vpngw::ike
