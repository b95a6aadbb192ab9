#include "dataplane/io/port.hpp"

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <cerrno>
#include <cstring>

namespace vpngw::dataplane::io {

namespace {

constexpr uint16_t kRxDescriptors = 512;
constexpr uint16_t kTxDescriptors = 512;
constexpr unsigned kControlTxRingSize = 256;

// Offloads we would use if the port has them. Virtual ports report none, and
// asking for an unsupported one makes rte_eth_dev_configure fail.
constexpr uint64_t kWantedRxOffloads = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
constexpr uint64_t kWantedTxOffloads = RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

std::string fail(const char* what, int rc) {
  return std::string(what) + ": " + rte_strerror(rc < 0 ? -rc : rc);
}

}  // namespace

rte_mempool* create_mbuf_pool(const std::string& name, uint32_t n_mbufs) {
  return rte_pktmbuf_pool_create(name.c_str(), n_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                 SOCKET_ID_ANY);
}

std::string port_start(const PortConfig& config, uint16_t queues, rte_mempool* pool,
                       PortRuntime* out) {
  const uint16_t port = config.port_id;
  if (!rte_eth_dev_is_valid_port(port)) return "no DPDK port " + std::to_string(port);
  if (queues == 0) return "at least one queue is needed";
  rte_eth_dev_info info{};
  int rc = rte_eth_dev_info_get(port, &info);
  if (rc != 0) return fail("rte_eth_dev_info_get", rc);
  if (queues > info.max_rx_queues || queues > info.max_tx_queues)
    return "port " + std::to_string(port) + " supports only " +
           std::to_string(std::min(info.max_rx_queues, info.max_tx_queues)) + " queues";

  rte_eth_conf conf{};
  conf.rxmode.offloads = kWantedRxOffloads & info.rx_offload_capa;
  conf.txmode.offloads = kWantedTxOffloads & info.tx_offload_capa;
  if (queues > 1 && info.flow_type_rss_offloads != 0) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  }
  rc = rte_eth_dev_configure(port, queues, queues, &conf);
  if (rc != 0) return fail("rte_eth_dev_configure", rc);

  uint16_t rxd = kRxDescriptors, txd = kTxDescriptors;
  rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
  if (rc != 0) return fail("rte_eth_dev_adjust_nb_rx_tx_desc", rc);
  const int socket = rte_eth_dev_socket_id(port);
  for (uint16_t q = 0; q < queues; ++q) {
    rte_eth_rxconf rxconf = info.default_rxconf;
    rxconf.offloads = conf.rxmode.offloads;
    rc = rte_eth_rx_queue_setup(port, q, rxd, socket, &rxconf, pool);
    if (rc != 0) return fail("rte_eth_rx_queue_setup", rc);
    rte_eth_txconf txconf = info.default_txconf;
    txconf.offloads = conf.txmode.offloads;
    rc = rte_eth_tx_queue_setup(port, q, txd, socket, &txconf);
    if (rc != 0) return fail("rte_eth_tx_queue_setup", rc);
  }

  // Not every virtual port can change its MTU; keep what it has then.
  rc = rte_eth_dev_set_mtu(port, config.mtu);
  if (rc != 0 && rc != -ENOTSUP) return fail("rte_eth_dev_set_mtu", rc);

  rc = rte_eth_dev_start(port);
  if (rc != 0) return fail("rte_eth_dev_start", rc);
  if (config.promiscuous)
    rte_eth_promiscuous_enable(port);
  else
    rte_eth_promiscuous_disable(port);  // -ENOTSUP on some vdevs: harmless

  const std::string ring_name = "io_ctl_tx_" + std::to_string(port);
  rte_ring* ring = rte_ring_create(ring_name.c_str(), kControlTxRingSize, socket,
                                   RING_F_SP_ENQ);  // any worker may send: MC dequeue
  if (ring == nullptr) {
    rte_eth_dev_stop(port);
    return fail("rte_ring_create", rte_errno);
  }

  *out = PortRuntime{};
  out->port_id = port;
  rte_eth_macaddr_get(port, &out->mac);
  out->address_be = rte_cpu_to_be_32(config.address.value);
  const Cidr net{config.address, config.prefix_len};
  out->netmask_be = rte_cpu_to_be_32(net.mask());
  out->next_hop_be = rte_cpu_to_be_32(config.next_hop.value);
  out->mtu = config.mtu;
  out->control_tx = ring;
  return {};
}

void port_stop(PortRuntime* port) {
  if (port->control_tx != nullptr) {
    void* m = nullptr;
    while (rte_ring_dequeue(port->control_tx, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    rte_ring_free(port->control_tx);
    port->control_tx = nullptr;
  }
  rte_eth_dev_stop(port->port_id);
  rte_eth_dev_close(port->port_id);
}

}  // namespace vpngw::dataplane::io
