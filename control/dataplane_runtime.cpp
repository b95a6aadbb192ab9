#include "control/dataplane_runtime.hpp"

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <algorithm>

#include "dataplane/io/address_set.hpp"
#include "dataplane/io/neighbour_table.hpp"
#include "dataplane/io/port.hpp"
#include "dataplane/io/punt.hpp"
#include "dataplane/io/worker.hpp"

namespace vpngw {

namespace io = dataplane::io;

struct DataplaneRuntime::State {
  io::IoShared shared;
  io::NeighbourTable neighbours;
  io::AddressSet gateway_ips;
  std::vector<Ipv4Addr> gateway_list;
  rte_mempool* pool = nullptr;
  std::vector<unsigned> lcores;
  std::vector<io::WorkerIoCounters> counters;
  std::vector<std::unique_ptr<io::WorkerContext>> workers;
  std::vector<Ipv4Addr> next_hops;  // per port index, 0.0.0.0 when none
  uint64_t ike_packets = 0;         // punted IKE packets (no engine yet)
  bool running = false;
};

DataplaneRuntime::DataplaneRuntime() : s_(std::make_unique<State>()) {}
DataplaneRuntime::~DataplaneRuntime() { stop(); }

bool DataplaneRuntime::running() const { return s_->running; }

std::string DataplaneRuntime::start(const DaemonConfig& cfg, std::string* why_down) {
  if (!cfg.public_port.host || !cfg.private_port.host) {
    *why_down = "ports.public.address and ports.private.address are not both configured";
    return {};
  }
  // Workers run on every EAL lcore but the main one (the control thread),
  // or on the configured subset.
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) {
    if (cfg.worker_lcores.empty() ||
        std::find(cfg.worker_lcores.begin(), cfg.worker_lcores.end(), lcore) != cfg.worker_lcores.end())
      s_->lcores.push_back(lcore);
  }
  if (s_->lcores.empty()) {
    *why_down = "no worker lcore: give the EAL at least two lcores (e.g. -l 0-1)";
    return {};
  }
  s_->pool = io::create_mbuf_pool("vpngw_pool");
  if (!s_->pool) return "cannot create the mbuf pool";
  const uint16_t queues = static_cast<uint16_t>(s_->lcores.size());
  const PortConfig* ports[2] = {&cfg.public_port, &cfg.private_port};
  for (uint16_t i = 0; i < 2; ++i) {
    io::PortConfig pc;
    pc.port_id = ports[i]->port;
    pc.address = *ports[i]->host;
    pc.prefix_len = ports[i]->address->len;
    pc.next_hop = ports[i]->next_hop.value_or(Ipv4Addr{});
    const std::string err = io::port_start(pc, queues, s_->pool, &s_->shared.ports[i]);
    if (!err.empty()) return (i == 0 ? "public port: " : "private port: ") + err;
    s_->shared.port_count = static_cast<uint16_t>(i + 1);
    s_->next_hops.push_back(pc.next_hop);
  }
  s_->shared.ports[0].extra_addresses = &s_->gateway_ips;
  s_->shared.punt = io::create_punt_ring("vpngw_punt");
  if (!s_->shared.punt) return "cannot create the punt ring";
  s_->shared.neighbours = &s_->neighbours;
  s_->counters.resize(s_->lcores.size());
  for (size_t i = 0; i < s_->lcores.size(); ++i) {
    io::WorkerConfig wc;
    wc.queue = static_cast<uint16_t>(i);
    wc.drains_control_tx = (i == 0);
    auto w = std::make_unique<io::WorkerContext>(&s_->shared, wc, &s_->counters[i]);
    if (!io::launch_worker(s_->lcores[i], w.get())) return "cannot launch worker on lcore " + std::to_string(s_->lcores[i]);
    s_->workers.push_back(std::move(w));
  }
  s_->running = true;
  return {};
}

void DataplaneRuntime::set_gateway_addresses(const std::vector<Ipv4Addr>& addresses) {
  for (const auto& old : s_->gateway_list)
    if (std::find(addresses.begin(), addresses.end(), old) == addresses.end()) s_->gateway_ips.remove(old);
  for (const auto& a : addresses) s_->gateway_ips.add(a);
  s_->gateway_list = addresses;
}

void DataplaneRuntime::poll_control() {
  if (!s_->running) return;
  rte_mbuf* ike[32];
  uint16_t n;
  while ((n = io::drain_punt_ring(s_->shared.punt, s_->neighbours, ike, 32)) > 0) {
    s_->ike_packets += n;
    for (uint16_t i = 0; i < n; ++i) rte_pktmbuf_free(ike[i]);
  }
}

void DataplaneRuntime::resolve_next_hops() {
  if (!s_->running) return;
  for (uint16_t i = 0; i < s_->shared.port_count; ++i) {
    const Ipv4Addr hop = s_->next_hops[i];
    rte_ether_addr mac;
    if (!hop.is_unspecified() && !s_->neighbours.lookup(hop, &mac))
      io::resolve_next_hop(s_->pool, s_->shared.ports[i], hop);
  }
}

Json DataplaneRuntime::counters() const {
  if (!s_->running) return Json{{"running", false}};
  const io::IoTotals t = io::sum_counters(s_->counters);
  Json ports = Json::object();
  const char* names[2] = {"public", "private"};
  for (uint16_t i = 0; i < s_->shared.port_count; ++i) {
    const auto& p = t.ports[i];
    ports[names[i]] = {{"rx_packets", p.rx_packets}, {"rx_bytes", p.rx_bytes},
                       {"tx_packets", p.tx_packets}, {"tx_bytes", p.tx_bytes},
                       {"arp_replies", p.arp_replies_sent}, {"icmp_replies", p.icmp_replies_sent},
                       {"punted", p.punted}};
  }
  Json drops = Json::object();
  for (const auto& d : io::kIoDrops) drops[std::string(d.name)] = t.drops[io::index_of(d.reason)];
  return Json{{"running", true}, {"workers", s_->lcores.size()}, {"ports", ports},
              {"drops", drops}, {"ike_packets_punted", s_->ike_packets}};
}

void DataplaneRuntime::stop() {
  if (!s_ || !s_->running) return;
  for (size_t i = 0; i < s_->workers.size(); ++i) io::stop_worker(s_->lcores[i], s_->workers[i].get());
  s_->workers.clear();
  for (uint16_t i = 0; i < s_->shared.port_count; ++i) io::port_stop(&s_->shared.ports[i]);
  io::free_punt_ring(s_->shared.punt);
  s_->shared.punt = nullptr;
  rte_mempool_free(s_->pool);
  s_->pool = nullptr;
  s_->running = false;
}

}  // namespace vpngw
