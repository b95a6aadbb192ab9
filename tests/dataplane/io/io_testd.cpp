// A minimal packet engine for the end-to-end ping test: two net_af_packet
// ports on veths, one worker running the real loop, the main thread acting as
// the control thread (draining the punt ring). Runs until SIGTERM/SIGINT.
//
//   io_testd FILE_PREFIX PUBLIC_IFACE PUBLIC_CIDR PRIVATE_IFACE PRIVATE_CIDR
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "common/net.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/io/neighbour_table.hpp"
#include "dataplane/io/port.hpp"
#include "dataplane/io/punt.hpp"
#include "dataplane/io/worker.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;  // set by the signal handler only
void on_signal(int) { g_stop = 1; }

bool port_config(const char* vdev, const char* cidr_text, vpngw::dataplane::io::PortConfig* out) {
  bool host_bits = false;
  const auto cidr = vpngw::Cidr::parse_any(cidr_text, &host_bits);
  uint16_t port_id = 0;
  if (!cidr || rte_eth_dev_get_port_by_name(vdev, &port_id) != 0) return false;
  out->port_id = port_id;
  out->address = cidr->addr;
  out->prefix_len = cidr->len;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  namespace io = vpngw::dataplane::io;
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s FILE_PREFIX PUB_IFACE PUB_CIDR PRIV_IFACE PRIV_CIDR\n",
                 argv[0]);
    return 2;
  }
  const std::string err = vpngw::dataplane::eal_init(
      {"-l", "0-1", "--no-huge", "-m", "256", "--no-pci", "--file-prefix", argv[1],
       "--log-level=error", std::string("--vdev=net_af_packet0,iface=") + argv[2],
       std::string("--vdev=net_af_packet1,iface=") + argv[4]});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  int rc = 1;
  io::IoShared shared;
  io::NeighbourTable neighbours;
  rte_mempool* pool = io::create_mbuf_pool("io_testd");
  io::PortConfig configs[2];
  if (pool == nullptr || !port_config("net_af_packet0", argv[3], &configs[0]) ||
      !port_config("net_af_packet1", argv[5], &configs[1])) {
    std::fprintf(stderr, "bad arguments or ports missing\n");
  } else {
    shared.punt = io::create_punt_ring("io_testd_punt");
    shared.neighbours = &neighbours;
    for (uint16_t p = 0; p < 2; ++p) {
      const std::string perr = io::port_start(configs[p], 1, pool, &shared.ports[p]);
      if (!perr.empty()) {
        std::fprintf(stderr, "port %u: %s\n", p, perr.c_str());
        break;
      }
      shared.port_count = static_cast<uint16_t>(p + 1);
    }
  }
  if (shared.port_count == 2) {
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    io::WorkerIoCounters counters;
    io::WorkerConfig wc;
    wc.drains_control_tx = true;
    io::WorkerContext worker(&shared, wc, &counters);
    const unsigned lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
    if (lcore < RTE_MAX_LCORE && io::launch_worker(lcore, &worker)) {
      std::printf("ready\n");
      std::fflush(stdout);
      rte_mbuf* ike[32];
      while (g_stop == 0) {
        const uint16_t n = io::drain_punt_ring(shared.punt, neighbours, ike, 32);
        for (uint16_t i = 0; i < n; ++i) rte_pktmbuf_free(ike[i]);  // no IKE here
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      io::stop_worker(lcore, &worker);
      for (uint16_t p = 0; p < 2; ++p)
        std::printf("port %u: rx %lu tx %lu arp_replies %lu icmp_replies %lu\n", p,
                    static_cast<unsigned long>(counters.ports[p].rx_packets),
                    static_cast<unsigned long>(counters.ports[p].tx_packets),
                    static_cast<unsigned long>(counters.ports[p].arp_replies_sent),
                    static_cast<unsigned long>(counters.ports[p].icmp_replies_sent));
      rc = 0;
    }
  }
  for (uint16_t p = 0; p < shared.port_count; ++p) io::port_stop(&shared.ports[p]);
  io::free_punt_ring(shared.punt);
  rte_mempool_free(pool);
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
  return rc;
}
