// Helpers shared by the lookup tests: literal CIDRs/addresses, a QSBR
// variable in DPDK memory, and the brute-force references the tables are
// checked against.
#pragma once

#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "common/net.hpp"
#include "dataplane/lookup/lookup_specs.hpp"

namespace vpngw::dataplane::test {

Cidr cidr(std::string_view text);  // aborts the test binary on a typo
Ipv4Addr ip(std::string_view text);

struct QsbrDeleter {
  void operator()(rte_rcu_qsbr* q) const;
};
using QsbrPtr = std::unique_ptr<rte_rcu_qsbr, QsbrDeleter>;
QsbrPtr make_qsbr(uint32_t max_threads);

// Longest matching destination wins; kNoGateway when none matches.
uint32_t reference_route(std::span<const RouteSpec> routes, Ipv4Addr dst);
// First matching rule in list order wins; kNoAction when none matches.
uint32_t reference_spd(std::span<const SpdRuleSpec> rules, uint32_t gateway, Ipv4Addr src,
                       Ipv4Addr dst);

}  // namespace vpngw::dataplane::test
