#include "tests/dataplane/lookup/lookup_test_support.hpp"

#include <rte_malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace vpngw::dataplane::test {

Cidr cidr(std::string_view text) {
  const auto c = Cidr::parse(text);
  if (!c) {
    std::fprintf(stderr, "bad CIDR in test: %s\n", std::string(text).c_str());
    std::abort();
  }
  return *c;
}

Ipv4Addr ip(std::string_view text) {
  const auto a = Ipv4Addr::parse(text);
  if (!a) {
    std::fprintf(stderr, "bad address in test: %s\n", std::string(text).c_str());
    std::abort();
  }
  return *a;
}

void QsbrDeleter::operator()(rte_rcu_qsbr* q) const { rte_free(q); }

QsbrPtr make_qsbr(uint32_t max_threads) {
  const size_t size = rte_rcu_qsbr_get_memsize(max_threads);
  auto* q = static_cast<rte_rcu_qsbr*>(rte_zmalloc("lookup-test-qsbr", size, RTE_CACHE_LINE_SIZE));
  if (q == nullptr || rte_rcu_qsbr_init(q, max_threads) != 0) {
    rte_free(q);
    return nullptr;
  }
  return QsbrPtr(q);
}

uint32_t reference_route(std::span<const RouteSpec> routes, Ipv4Addr dst) {
  int best_len = -1;
  uint32_t best = kNoGateway;
  for (const RouteSpec& r : routes) {
    if (r.destination.contains(dst) && r.destination.len > best_len) {
      best_len = r.destination.len;
      best = r.gateway_index;
    }
  }
  return best;
}

uint32_t reference_spd(std::span<const SpdRuleSpec> rules, uint32_t gateway, Ipv4Addr src,
                       Ipv4Addr dst) {
  for (const SpdRuleSpec& r : rules) {
    if (r.gateway_index == gateway && r.local.contains(src) && r.peer.contains(dst)) {
      return r.action;
    }
  }
  return kNoAction;
}

}  // namespace vpngw::dataplane::test
