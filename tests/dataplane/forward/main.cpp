// dp_forward_tests brings up DPDK's EAL (no hugepages, no PCI) and one mbuf
// pool for every test, and tears both down again.
#include <gtest/gtest.h>
#include <rte_eal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "dataplane/eal.hpp"
#include "dataplane/io/port.hpp"
#include "tests/dataplane/test_env.hpp"

namespace vpngw::dataplane::test {

namespace {
rte_mempool* g_pool = nullptr;  // created once in main(), before any test
}

rte_mempool* test_pool() { return g_pool; }

}  // namespace vpngw::dataplane::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const std::string prefix = "vpngw-fwdtest-" + std::to_string(getpid());
  const std::string err = vpngw::dataplane::eal_init(
      {"-l", "0", "--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix,
       "--log-level=error"});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  vpngw::dataplane::test::g_pool = vpngw::dataplane::io::create_mbuf_pool("fwdtest_pool", 2047);
  int rc = 1;
  if (vpngw::dataplane::test::g_pool != nullptr) {
    rc = RUN_ALL_TESTS();
    rte_mempool_free(vpngw::dataplane::test::g_pool);
  }
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
  return rc;
}
