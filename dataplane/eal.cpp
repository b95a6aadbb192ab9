#include "dataplane/eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <cstdio>

namespace vpngw::dataplane {

std::string eal_init(const std::vector<std::string>& eal_args) {
  std::vector<std::string> storage;
  storage.reserve(eal_args.size() + 1);
  storage.emplace_back("vpngwd");
  storage.insert(storage.end(), eal_args.begin(), eal_args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  int ret = rte_eal_init(static_cast<int>(storage.size()), argv.data());
  if (ret < 0) return std::string("rte_eal_init failed: ") + rte_strerror(rte_errno);
  return {};
}

void eal_cleanup() { rte_eal_cleanup(); }

uint16_t port_count() { return rte_eth_dev_count_avail(); }

bool port_info(uint16_t port_id, PortInfo* out) {
  if (!rte_eth_dev_is_valid_port(port_id)) return false;
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(port_id, &info) != 0) return false;
  rte_ether_addr mac{};
  rte_eth_macaddr_get(port_id, &mac);
  char buf[RTE_ETHER_ADDR_FMT_SIZE];
  rte_ether_format_addr(buf, sizeof(buf), &mac);
  out->port_id = port_id;
  out->driver = info.driver_name ? info.driver_name : "";
  out->mac = buf;
  return true;
}

}  // namespace vpngw::dataplane
