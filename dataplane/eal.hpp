// Bringing up DPDK's EAL and checking the ports the daemon was configured with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vpngw::dataplane {

struct PortInfo {
  uint16_t port_id = 0;
  std::string driver;
  std::string mac;
};

// Initialises the EAL with the given arguments (argv[0] is supplied here).
// Returns an empty string on success, else why it failed.
std::string eal_init(const std::vector<std::string>& eal_args);
void eal_cleanup();

uint16_t port_count();
// Describes one port, or returns false when no such port exists.
bool port_info(uint16_t port_id, PortInfo* out);

}  // namespace vpngw::dataplane
