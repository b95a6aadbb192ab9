// A test bench for the I/O layer: a public and a private port backed by
// rte_rings (rte_eth_from_rings), so a test injects frames into a port's RX
// ring and reads what the worker transmitted from its TX ring.
#pragma once

#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/io/address_set.hpp"
#include "dataplane/io/neighbour_table.hpp"
#include "dataplane/io/worker.hpp"

namespace vpngw::dataplane::io::test {

inline constexpr uint16_t kPublic = 0;
inline constexpr uint16_t kPrivate = 1;

class RingPortsTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Makes the worker context (call again after changing the config).
  WorkerContext& worker(WorkerConfig config = {});

  void inject(uint16_t port_index, rte_mbuf* m);
  // Everything the port transmitted so far; the caller frees via free_all.
  std::vector<rte_mbuf*> transmitted(uint16_t port_index);
  std::vector<rte_mbuf*> punted();
  static void free_all(std::vector<rte_mbuf*>& pkts);

  rte_mempool* pool_ = nullptr;
  std::array<rte_ring*, 2> rx_{};
  std::array<rte_ring*, 2> tx_{};
  std::array<std::string, 2> names_;
  IoShared shared_;
  NeighbourTable neighbours_;
  AddressSet gateway_ips_;
  WorkerIoCounters counters_;
  std::unique_ptr<WorkerContext> worker_;
  uint32_t public_ip_be_ = 0;
  uint32_t private_ip_be_ = 0;
};

}  // namespace vpngw::dataplane::io::test
