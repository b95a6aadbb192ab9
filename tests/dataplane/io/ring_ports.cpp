#include "tests/dataplane/io/ring_ports.hpp"

#include <rte_bus_vdev.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>

#include "dataplane/io/port.hpp"
#include "dataplane/io/punt.hpp"
#include "tests/dataplane/io/frames.hpp"

namespace vpngw::dataplane::io::test {

namespace {
int g_bench_number = 0;  // ring and port names must be unique per EAL
}

void RingPortsTest::SetUp() {
  const std::string n = std::to_string(g_bench_number++);
  pool_ = create_mbuf_pool("iotest_pool" + n, 1023);
  ASSERT_NE(pool_, nullptr);
  shared_.punt = create_punt_ring("iotest_punt" + n, 64);
  ASSERT_NE(shared_.punt, nullptr);
  const std::array<PortConfig, 2> configs{{
      {0, *Ipv4Addr::parse("198.51.100.1"), 24, *Ipv4Addr::parse("198.51.100.254"), 1500, false},
      {0, *Ipv4Addr::parse("198.18.1.1"), 24, Ipv4Addr{}, 1500, false},
  }};
  for (uint16_t p = 0; p < 2; ++p) {
    const std::string suffix = n + "_" + std::to_string(p);
    rx_[p] = rte_ring_create(("iotest_rx" + suffix).c_str(), 256, SOCKET_ID_ANY,
                             RING_F_SP_ENQ | RING_F_SC_DEQ);
    tx_[p] = rte_ring_create(("iotest_tx" + suffix).c_str(), 256, SOCKET_ID_ANY,
                             RING_F_SP_ENQ | RING_F_SC_DEQ);
    ASSERT_NE(rx_[p], nullptr);
    ASSERT_NE(tx_[p], nullptr);
    names_[p] = "net_ring_iotest" + suffix;
    const int port_id = rte_eth_from_rings(names_[p].c_str(), &rx_[p], 1, &tx_[p], 1, 0);
    ASSERT_GE(port_id, 0);
    PortConfig config = configs[p];
    config.port_id = static_cast<uint16_t>(port_id);
    const std::string err = port_start(config, 1, pool_, &shared_.ports[p]);
    ASSERT_EQ(err, "");
  }
  shared_.port_count = 2;
  shared_.ports[kPublic].extra_addresses = &gateway_ips_;
  shared_.neighbours = &neighbours_;
  public_ip_be_ = be_ip("198.51.100.1");
  private_ip_be_ = be_ip("198.18.1.1");
}

void RingPortsTest::TearDown() {
  worker_.reset();
  for (uint16_t p = 0; p < 2; ++p) {
    if (shared_.ports[p].control_tx != nullptr) {
      port_stop(&shared_.ports[p]);
      rte_vdev_uninit(names_[p].c_str());
    }
    for (rte_ring* r : {rx_[p], tx_[p]}) {
      if (r == nullptr) continue;
      void* m = nullptr;
      while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      rte_ring_free(r);
    }
  }
  free_punt_ring(shared_.punt);
  rte_mempool_free(pool_);
}

WorkerContext& RingPortsTest::worker(WorkerConfig config) {
  worker_ = std::make_unique<WorkerContext>(&shared_, config, &counters_);
  return *worker_;
}

void RingPortsTest::inject(uint16_t port_index, rte_mbuf* m) {
  ASSERT_EQ(rte_ring_enqueue(rx_[port_index], m), 0);
}

std::vector<rte_mbuf*> RingPortsTest::transmitted(uint16_t port_index) {
  std::vector<rte_mbuf*> out;
  void* m = nullptr;
  while (rte_ring_dequeue(tx_[port_index], &m) == 0) out.push_back(static_cast<rte_mbuf*>(m));
  return out;
}

std::vector<rte_mbuf*> RingPortsTest::punted() {
  std::vector<rte_mbuf*> out;
  void* m = nullptr;
  while (rte_ring_dequeue(shared_.punt, &m) == 0) out.push_back(static_cast<rte_mbuf*>(m));
  return out;
}

void RingPortsTest::free_all(std::vector<rte_mbuf*>& pkts) {
  for (rte_mbuf* m : pkts) rte_pktmbuf_free(m);
  pkts.clear();
}

}  // namespace vpngw::dataplane::io::test
