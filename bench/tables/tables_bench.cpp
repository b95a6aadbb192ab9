// Per-packet cost of finding a packet's SA: inbound (SPI, destination) in the
// lock-free rte_hash, as whole bursts of 32 and one by one, at 1, 1000 and
// 100 000 installed SAs; and the outbound slot load. Each lookup also reads
// the SA's SPI, as the packet path does right after, so the cache miss on
// the SA object itself is part of the cost.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/tables/tables_bench.hpp"
#include "dataplane/tables/sa_tables.hpp"
#include "tests/dataplane/tables/test_sa_params.hpp"

namespace vpngw::dataplane::bench {
namespace {

constexpr uint32_t kBurst = 32;
constexpr uint32_t kTraceLen = 1u << 16;  // keys looked up, in random order
constexpr uint32_t kFirstSpi = 0x1000;

// Tables with n inbound SAs and a random trace over their keys, built once
// per size and kept for every run of that size (building 100 000 SAs takes
// far longer than measuring them).
struct Setup {
  std::unique_ptr<SaTables> tables;
  std::vector<InboundKey> trace;
  std::vector<const InboundKey*> trace_ptrs;
};

class Setups {
 public:
  Setup& get(uint32_t n) {
    std::unique_ptr<Setup>& s = by_size_[n];
    if (!s) s = build(n);
    return *s;
  }

 private:
  static std::unique_ptr<Setup> build(uint32_t n) {
    auto s = std::make_unique<Setup>();
    SaTablesConfig config;
    config.name = "bench_sa_" + std::to_string(n);
    config.inbound_capacity = n;
    config.outbound_slots = 1024;
    std::string error;
    s->tables = SaTables::create(config, &error);
    if (!s->tables) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::abort();
    }
    for (uint32_t k = 0; k < n; ++k) {
      const SaParams p = test::table_test_params(SaDirection::inbound, kFirstSpi + k, k);
      if (!s->tables->install_inbound(p, 0, &error)) {
        std::fprintf(stderr, "install %u: %s\n", k, error.c_str());
        std::abort();
      }
    }
    const SaParams out = test::table_test_params(SaDirection::outbound, kFirstSpi, 0);
    for (uint32_t slot = 0; slot < 1024; ++slot) s->tables->install_outbound(slot, out, 0, &error);
    std::mt19937 rng(7);
    s->trace.reserve(kTraceLen);
    for (uint32_t i = 0; i < kTraceLen; ++i)
      s->trace.push_back(inbound_key(kFirstSpi + rng() % n, test::kTablesOurAddr));
    for (const InboundKey& k : s->trace) s->trace_ptrs.push_back(&k);
    return s;
  }

  std::map<uint32_t, std::unique_ptr<Setup>> by_size_;
};

void inbound_burst(benchmark::State& state, Setups& setups) {
  Setup& s = setups.get(static_cast<uint32_t>(state.range(0)));
  std::array<SaRef<InboundSa>, kBurst> refs;
  uint32_t pos = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    s.tables->inbound().lookup_burst(s.trace_ptrs.data() + pos, kBurst, refs.data());
    for (const SaRef<InboundSa>& r : refs) found += r ? r.sa()->spi_be != 0 : 0;
    pos = (pos + kBurst) % kTraceLen;
  }
  benchmark::DoNotOptimize(found);
  const uint64_t packets = static_cast<uint64_t>(state.iterations()) * kBurst;
  if (found != packets) state.SkipWithError("a lookup missed");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBurst));
}

void inbound_single(benchmark::State& state, Setups& setups) {
  Setup& s = setups.get(static_cast<uint32_t>(state.range(0)));
  uint32_t pos = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    for (uint32_t k = 0; k < kBurst; ++k) {
      const SaRef<InboundSa> r = s.tables->inbound().lookup(s.trace[pos + k]);
      found += r ? r.sa()->spi_be != 0 : 0;
    }
    pos = (pos + kBurst) % kTraceLen;
  }
  benchmark::DoNotOptimize(found);
  const uint64_t packets = static_cast<uint64_t>(state.iterations()) * kBurst;
  if (found != packets) state.SkipWithError("a lookup missed");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBurst));
}

void outbound_slot(benchmark::State& state, Setups& setups) {
  Setup& s = setups.get(1);
  std::mt19937 rng(9);
  std::array<uint32_t, kBurst> slots;
  for (uint32_t& slot : slots) slot = rng() % 1024;
  uint64_t found = 0;
  for (auto _ : state) {
    for (uint32_t slot : slots) found += s.tables->outbound().get(slot).sa()->spi_be != 0;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBurst));
}

}  // namespace

void run_tables_benchmarks() {
  Setups setups;  // outlives every run; freed before the EAL goes down
  benchmark::RegisterBenchmark("inbound_lookup_burst32", inbound_burst, std::ref(setups))
      ->Arg(1)->Arg(1000)->Arg(100000);
  benchmark::RegisterBenchmark("inbound_lookup_single", inbound_single, std::ref(setups))
      ->Arg(1)->Arg(1000)->Arg(100000);
  benchmark::RegisterBenchmark("outbound_slot_load", outbound_slot, std::ref(setups));
  benchmark::RunSpecifiedBenchmarks();
}

}  // namespace vpngw::dataplane::bench
