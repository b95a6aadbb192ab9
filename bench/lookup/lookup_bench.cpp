// Per-packet cost of the outbound lookups, in bursts of 32: the SPD on
// rte_acl with 1, 1 000 and 10 000 rules (and, for contrast, the linear scan
// the issue rules out), VPC routes on rte_lpm with 1 000 routes, the
// worker's flow cache that sits in front of both, and how long the control
// thread takes to build each table.
#include <benchmark/benchmark.h>
#include <rte_malloc.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/forward/flow_cache.hpp"
#include "dataplane/lookup/route_table.hpp"
#include "dataplane/lookup/spd_classifier.hpp"

namespace vpngw::dataplane::bench {
namespace {

constexpr uint16_t kBurst = 32;
constexpr size_t kPackets = 4096;  // a ring of keys, larger than L1

// DPDK heap bytes in use on socket 0 (the only one under --no-huge).
double dpdk_heap_bytes() {
  rte_malloc_socket_stats stats{};
  rte_malloc_get_socket_stats(0, &stats);
  return static_cast<double>(stats.heap_allocsz_bytes);
}

// The shape: 20 tunnels x 10 local prefixes x 50 peer CIDRs = 10 000
// rules on one gateway, plus (for fewer rules) fewer peer CIDRs.
std::vector<SpdRuleSpec> spd_rules(size_t count) {
  std::vector<SpdRuleSpec> rules;
  if (count == 1) {
    rules.push_back({0, Cidr{Ipv4Addr{(192u << 24) | (168u << 16)}, 16},
                     Cidr{Ipv4Addr{10u << 24}, 8}, 0});
    return rules;
  }
  const uint32_t peers = static_cast<uint32_t>(count / 200);
  for (uint32_t t = 0; t < 20; ++t) {
    for (uint32_t l = 0; l < 10; ++l) {
      for (uint32_t p = 0; p < peers; ++p) {
        rules.push_back({0, Cidr{Ipv4Addr{(192u << 24) | (168u << 16) | (l << 8)}, 24},
                         Cidr{Ipv4Addr{(10u << 24) | (t << 16) | (p << 8)}, 24}, t});
      }
    }
  }
  return rules;
}

// Packets inside random rules, one in eight outside every rule.
std::vector<SpdKey> spd_packets(const std::vector<SpdRuleSpec>& rules) {
  std::mt19937 rng(7);
  std::vector<SpdKey> keys;
  for (size_t i = 0; i < kPackets; ++i) {
    const SpdRuleSpec& r = rules[rng() % rules.size()];
    const uint32_t host = static_cast<uint32_t>(rng()) & 0xffu;
    const uint32_t dst = i % 8 == 0 ? (172u << 24) | host : r.peer.first().value | host;
    keys.push_back(SpdKey::from_host(0, Ipv4Addr{r.local.first().value | host}, Ipv4Addr{dst}));
  }
  return keys;
}

void BM_SpdClassify(benchmark::State& state) {
  const auto rules = spd_rules(static_cast<size_t>(state.range(0)));
  std::string error;
  auto spd = SpdClassifier::build(rules, &error);
  if (spd == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  const auto keys = spd_packets(rules);
  uint32_t actions[kBurst];
  size_t at = 0;
  for (auto _ : state) {
    spd->classify_burst(&keys[at], actions, kBurst);
    benchmark::DoNotOptimize(actions);
    at = (at + kBurst) % kPackets;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBurst);
}
BENCHMARK(BM_SpdClassify)->Arg(1)->Arg(1000)->Arg(10000);

// The forward stage's flow cache (dataplane/forward/flow_cache.hpp): what a
// packet of a known flow costs instead of a route lookup plus an SPD
// classify. Arg = distinct flows the packets cycle through (1: one bulk
// flow; 1 000: many flows, still all cached after the first round).
void BM_FlowCacheHit(benchmark::State& state) {
  const auto flows = static_cast<size_t>(state.range(0));
  const auto keys = spd_packets(spd_rules(10000));
  forward::OutboundFlowCache cache;
  cache.use_tables(1, 1);
  for (size_t i = 0; i < flows; ++i) cache.insert(keys[i].src_be, keys[i].dst_be, 0, 7);
  uint32_t gateways[kBurst];
  uint32_t actions[kBurst];
  size_t at = 0;
  size_t misses = 0;
  for (auto _ : state) {
    cache.use_tables(1, 1);  // once per burst, as the stage does
    for (uint16_t i = 0; i < kBurst; ++i) {
      const SpdKey& k = keys[(at + i) % flows];
      if (!cache.find(k.src_be, k.dst_be, gateways[i], actions[i])) ++misses;
    }
    benchmark::DoNotOptimize(actions);
    at = (at + kBurst) % flows;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBurst);
  state.counters["misses"] = static_cast<double>(misses);
}
BENCHMARK(BM_FlowCacheHit)->Arg(1)->Arg(1000);

// What the issue forbids, measured so the docs can say by how much.
void BM_SpdLinearScan(benchmark::State& state) {
  const auto rules = spd_rules(static_cast<size_t>(state.range(0)));
  const auto keys = spd_packets(rules);
  uint32_t actions[kBurst];
  size_t at = 0;
  for (auto _ : state) {
    for (uint16_t i = 0; i < kBurst; ++i) {
      const SpdKey& k = keys[at + i];
      const uint32_t src = rte_be_to_cpu_32(k.src_be);
      const uint32_t dst = rte_be_to_cpu_32(k.dst_be);
      actions[i] = kNoAction;
      for (const SpdRuleSpec& r : rules) {
        if (r.local.contains(Ipv4Addr{src}) && r.peer.contains(Ipv4Addr{dst})) {
          actions[i] = r.action;
          break;
        }
      }
    }
    benchmark::DoNotOptimize(actions);
    at = (at + kBurst) % kPackets;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBurst);
}
BENCHMARK(BM_SpdLinearScan)->Arg(1000)->Arg(10000);

void BM_SpdBuild(benchmark::State& state) {
  const auto rules = spd_rules(static_cast<size_t>(state.range(0)));
  std::string error;
  double table_bytes = 0;
  for (auto _ : state) {
    const double before = dpdk_heap_bytes();
    auto spd = SpdClassifier::build(rules, &error);
    table_bytes = dpdk_heap_bytes() - before;
    benchmark::DoNotOptimize(spd.get());
  }
  state.counters["dpdk_bytes"] = table_bytes;
}
BENCHMARK(BM_SpdBuild)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// 1 000 routes: /16 to /28 prefixes across 10.0.0.0/8, a quarter longer than
// /24 so lookups also take rte_lpm's second-level (tbl8) path.
std::vector<RouteSpec> routes_1000() {
  std::mt19937 rng(11);
  std::vector<RouteSpec> routes;
  std::set<std::pair<uint32_t, uint8_t>> seen;
  while (routes.size() < 1000) {
    const uint8_t len = static_cast<uint8_t>(16 + rng() % 13);
    const Cidr c{Ipv4Addr{(10u << 24) | (static_cast<uint32_t>(rng()) & 0xffffffu)}, len};
    if (!seen.insert({c.first().value, len}).second) continue;
    routes.push_back({Cidr{c.first(), len}, static_cast<uint32_t>(routes.size() % 64)});
  }
  return routes;
}

void BM_RouteLookup(benchmark::State& state) {
  const auto routes = routes_1000();
  std::string error;
  auto table = RouteTable::build(routes, &error);
  if (table == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::mt19937 rng(13);
  std::vector<uint32_t> dst;
  for (size_t i = 0; i < kPackets; ++i) {
    const RouteSpec& r = routes[rng() % routes.size()];
    dst.push_back(r.destination.first().value | (static_cast<uint32_t>(rng()) & ~r.destination.mask()));
  }
  uint32_t gateways[kBurst];
  size_t at = 0;
  for (auto _ : state) {
    table->lookup_burst(&dst[at], gateways, kBurst);
    benchmark::DoNotOptimize(gateways);
    at = (at + kBurst) % kPackets;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBurst);
}
BENCHMARK(BM_RouteLookup);

void BM_RouteBuild(benchmark::State& state) {
  const auto routes = routes_1000();
  std::string error;
  double table_bytes = 0;
  for (auto _ : state) {
    const double before = dpdk_heap_bytes();
    auto table = RouteTable::build(routes, &error);
    table_bytes = dpdk_heap_bytes() - before;
    benchmark::DoNotOptimize(table.get());
  }
  state.counters["dpdk_bytes"] = table_bytes;
}
BENCHMARK(BM_RouteBuild)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vpngw::dataplane::bench
