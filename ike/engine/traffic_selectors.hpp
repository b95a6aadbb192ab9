// Traffic selectors of the one CHILD_SA per tunnel: our CIDRs as TS
// payload entries, narrowing a peer's offer to our configuration
// (RFC 7296 §2.9: the responder answers with the intersection), and
// negotiated ranges back into the CIDRs the dataplane's SaParams hold.
#pragma once

#include <vector>

#include "common/net.hpp"
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

// "10.0.0.0/24" (and " proto 6 ports 80-80" when not "any").
std::string describe(const TrafficSelector& ts);
std::string describe(const std::vector<TrafficSelector>& selectors);

}  // namespace vpngw::ike
