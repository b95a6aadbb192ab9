// The SA table tests need DPDK's EAL (rte_hash, rte_ring, mempools), so this
// binary has its own main(): EAL up without hugepages under a prefix of its
// own, one mbuf pool for the handoff tests, the tests, then all torn down.
#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "dataplane/eal.hpp"
#include "tests/dataplane/tables/tables_env.hpp"

namespace vpngw::dataplane::test {

namespace {
rte_mempool* g_pool = nullptr;  // set once by main() before any test runs
}

rte_mempool* tables_pool() { return g_pool; }

}  // namespace vpngw::dataplane::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const std::string prefix = "vpngw-tables-" + std::to_string(getpid());
  const std::string err = vpngw::dataplane::eal_init(
      {"--no-huge", "-m", "256", "--no-pci", "--file-prefix", prefix, "--log-level=error"});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  vpngw::dataplane::test::g_pool =
      rte_pktmbuf_pool_create("tables_test", 8191, 0, 0, 256, SOCKET_ID_ANY);
  int rc = 1;
  if (vpngw::dataplane::test::g_pool == nullptr) {
    std::fprintf(stderr, "cannot create the mbuf pool\n");
  } else {
    rc = RUN_ALL_TESTS();
    rte_mempool_free(vpngw::dataplane::test::g_pool);
  }
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
  return rc;
}
