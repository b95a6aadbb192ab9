// dp_io_tests brings up DPDK's EAL (no hugepages, no PCI, two lcores so one
// test can run the worker loop on its own lcore) and tears it down again.
#include <gtest/gtest.h>
#include <rte_eal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "dataplane/eal.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const std::string prefix = "vpngw-iotest-" + std::to_string(getpid());
  const std::string err = vpngw::dataplane::eal_init(
      {"-l", "0-1", "--no-huge", "-m", "256", "--no-pci", "--file-prefix", prefix,
       "--log-level=error"});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  const int rc = RUN_ALL_TESTS();
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
  return rc;
}
