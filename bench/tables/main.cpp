// vpngw_tables_bench: Google Benchmark over the SA tables. Brings up DPDK's
// EAL without hugepages (rte_hash needs it), runs, tears down. Not a test:
// run it by hand, e.g.
//   build/bench/tables/vpngw_tables_bench --benchmark_filter=burst32
#include <benchmark/benchmark.h>
#include <rte_eal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "bench/tables/tables_bench.hpp"
#include "dataplane/eal.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const std::string prefix = "vpngw-tbench-" + std::to_string(getpid());
  const std::string err = vpngw::dataplane::eal_init(
      {"--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix, "--log-level=error"});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  vpngw::dataplane::bench::run_tables_benchmarks();
  benchmark::Shutdown();
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
  return 0;
}
