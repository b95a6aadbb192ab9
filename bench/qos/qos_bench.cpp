// vpngw_qos_bench: cost of one burst admission on a gateway's shared token
// bucket, single-thread and with 2/4 threads on the same gateway. Not a test:
// run by hand, e.g.  build/bench/qos/vpngw_qos_bench --benchmark_min_time=0.2
//
// Two cases per thread count:
//  - admit: a rate so high every burst fits, so every call ends in a CAS on
//    the shared cache line (the expensive, contended path);
//  - over_cap: 5 Mbps offered far more, so almost every call finds no tokens
//    and returns after one load (what a saturated gateway costs).
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

#include "dataplane/qos/gateway_cap_table.hpp"
#include "dataplane/qos/tsc_clock.hpp"

namespace vpngw::dataplane::qos {
namespace {

constexpr uint32_t kAlwaysFits = 0;
constexpr uint32_t kOverCap = 1;

// TSC frequency without bringing up the EAL: count cycles over 50 ms.
uint64_t measure_tsc_hz() {
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t c0 = TscClock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const uint64_t c1 = TscClock::now();
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
  return (c1 - c0) * 1'000'000'000 / static_cast<uint64_t>(ns);
}

// Shared by all benchmark threads; built once, before any benchmark runs.
GatewayCapTable& shared_table() {
  static const std::unique_ptr<GatewayCapTable> table = [] {
    auto t = std::make_unique<GatewayCapTable>(measure_tsc_hz());
    t->install(kAlwaysFits, uint64_t{1'000'000} * 1'000'000);  // 1 Tbps
    t->install(kOverCap, mbps_to_bps(5));
    return t;
  }();
  return *table;
}

void admit_burst(benchmark::State& state, uint32_t gateway) {
  GatewayCapTable& table = shared_table();
  std::array<uint32_t, 32> lengths;
  lengths.fill(64);
  uint64_t admitted = 0;
  for (auto _ : state) {
    const CapVerdict v = table.admit(gateway, lengths, TscClock::now());
    admitted += v.admitted;
    benchmark::DoNotOptimize(v);
  }
  // Averaged over threads: each thread's own admitted packets per burst.
  state.counters["admitted_pkts_per_burst"] = benchmark::Counter(
      static_cast<double>(admitted) / static_cast<double>(state.iterations()),
      benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations() * 32);
}

void BM_admit(benchmark::State& state) { admit_burst(state, kAlwaysFits); }
void BM_over_cap(benchmark::State& state) { admit_burst(state, kOverCap); }

BENCHMARK(BM_admit)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_over_cap)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace
}  // namespace vpngw::dataplane::qos

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext(
      "tsc_hz", std::to_string(vpngw::dataplane::qos::shared_table().tsc_hz()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
