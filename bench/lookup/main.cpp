// vpngw_lookup_bench: Google Benchmark over the route and SPD tables. Brings
// up DPDK's EAL without hugepages (the tables live in DPDK memory), runs the
// benchmarks registered in lookup_bench.cpp. Not a test: run it by hand, e.g.
//   build/bench/lookup/vpngw_lookup_bench --benchmark_filter=Spd
#include <benchmark/benchmark.h>
#include <rte_eal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "dataplane/eal.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const std::string prefix = "vpngw-lookup-bench-" + std::to_string(getpid());
  const std::string err = vpngw::dataplane::eal_init(
      {"--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix, "--log-level=error"});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
  return 0;
}
