// vpngw_microbench: Google Benchmark over the ESP core. Brings up DPDK's
// EAL without hugepages (mbufs need it), registers the benchmarks, runs
// them. Not a test: run it by hand, e.g.
//   build/bench/vpngw_microbench --benchmark_filter='encrypt/aes128-gcm'
#include <benchmark/benchmark.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "bench/bench_support.hpp"
#include "dataplane/eal.hpp"

namespace vpngw::dataplane::bench {
void register_esp_benchmarks();
void register_imb_benchmarks();
void register_replay_benchmarks();
}  // namespace vpngw::dataplane::bench

int main(int argc, char** argv) {
  namespace b = vpngw::dataplane::bench;
  benchmark::Initialize(&argc, argv);
  const std::string prefix = "vpngw-bench-" + std::to_string(getpid());
  const std::string err = vpngw::dataplane::eal_init(
      {"--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix, "--log-level=error"});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  b::set_bench_pool(
      rte_pktmbuf_pool_create("bench", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY));
  if (b::bench_pool() == nullptr) {
    std::fprintf(stderr, "cannot create the mbuf pool\n");
    return 1;
  }
  {
    std::string error;
    auto mgr = vpngw::dataplane::ImbManager::create(&error);
    benchmark::AddCustomContext("ipsec_mb_arch", mgr ? std::string(mgr->arch_name()) : error);
    benchmark::AddCustomContext("ipsec_mb_version", IMB_VERSION_STR);
  }
  b::register_esp_benchmarks();
  b::register_imb_benchmarks();
  b::register_replay_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  rte_mempool_free(b::bench_pool());
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
  return 0;
}
