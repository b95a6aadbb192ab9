// The dataplane tests need DPDK's EAL (mbufs, mempools), so this binary has
// its own main(): EAL up, one pool, the tests, everything torn down again.
#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "dataplane/eal.hpp"
#include "tests/dataplane/test_env.hpp"

namespace vpngw::dataplane::test {

namespace {
rte_mempool* g_pool = nullptr;  // set once by main() before any test runs
}

rte_mempool* test_pool() { return g_pool; }

}  // namespace vpngw::dataplane::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Our own prefix: several test binaries may run at once.
  const std::string prefix = "vpngw-dptest-" + std::to_string(getpid());
  const std::string err = vpngw::dataplane::eal_init(
      {"--no-huge", "-m", "256", "--no-pci", "--file-prefix", prefix, "--log-level=error"});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  vpngw::dataplane::test::g_pool =
      rte_pktmbuf_pool_create("dptest", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  if (vpngw::dataplane::test::g_pool == nullptr) {
    std::fprintf(stderr, "cannot create the mbuf pool\n");
    rte_eal_cleanup();
    return 1;
  }
  const int rc = RUN_ALL_TESTS();
  rte_mempool_free(vpngw::dataplane::test::g_pool);
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
  return rc;
}
