#include "control/dataplane_runtime.hpp"

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <algorithm>

#include <rte_cycles.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "control/static_sa.hpp"
#include "dataplane/forward/forward_context.hpp"
#include "dataplane/forward/stages.hpp"
#include "dataplane/io/address_set.hpp"
#include "dataplane/io/arp_observations.hpp"
#include "dataplane/io/neighbour_resolver.hpp"
#include "dataplane/qos/tsc_clock.hpp"
#include "dataplane/io/neighbour_table.hpp"
#include "dataplane/io/port.hpp"
#include "dataplane/io/punt.hpp"
#include "dataplane/io/worker.hpp"
#include "dataplane/tables/sa_placement.hpp"

namespace vpngw {

namespace io = dataplane::io;
namespace dp = dataplane;

namespace {

// Dense indexes for gateways (caps, routes, SPD) and tunnels (outbound SA
// slots), stable while the resource exists so tables can be rebuilt freely.
class IndexMap {
 public:
  explicit IndexMap(uint32_t capacity) : capacity_(capacity) {}
  std::optional<uint32_t> index_of(const std::string& id) {
    if (auto it = ids_.find(id); it != ids_.end()) return it->second;
    for (uint32_t i = 0; i < capacity_; ++i) {
      bool used = false;
      for (const auto& [_, v] : ids_) used |= (v == i);
      if (!used) return ids_[id] = i;
    }
    return std::nullopt;
  }
  std::optional<std::string> id_of(uint32_t index) const {
    for (const auto& [id, v] : ids_)
      if (v == index) return id;
    return std::nullopt;
  }
  // Forgets the ids not in `live`, returning their indexes.
  std::vector<uint32_t> retain(const std::vector<std::string>& live) {
    std::vector<uint32_t> gone;
    for (auto it = ids_.begin(); it != ids_.end();) {
      if (std::find(live.begin(), live.end(), it->first) == live.end()) {
        gone.push_back(it->second);
        it = ids_.erase(it);
      } else {
        ++it;
      }
    }
    return gone;
  }

 private:
  uint32_t capacity_;
  std::map<std::string, uint32_t> ids_;
};

// One outbound slot per SPD pair (tunnel, local CIDR, peer CIDR), stable
// while the pair exists; freed slots are reused lowest first.
class PairSlots {
 public:
  using Key = std::tuple<std::string, Cidr, Cidr>;
  explicit PairSlots(uint32_t capacity) : owners_(capacity) {
    for (uint32_t i = capacity; i-- > 0;) free_.push_back(i);
  }
  std::optional<uint32_t> slot_of(const Key& key) const {
    auto it = slots_.find(key);
    return it == slots_.end() ? std::nullopt : std::optional<uint32_t>(it->second);
  }
  std::optional<uint32_t> assign(const Key& key) {
    if (auto it = slots_.find(key); it != slots_.end()) return it->second;
    if (free_.empty()) return std::nullopt;
    const uint32_t slot = free_.back();
    free_.pop_back();
    slots_[key] = slot;
    owners_[slot] = key;
    return slot;
  }
  const std::optional<Key>& owner(uint32_t slot) const {
    static const std::optional<Key> none;
    return slot < owners_.size() ? owners_[slot] : none;
  }
  // Frees the slots of pairs not in `live`, returning them.
  std::vector<uint32_t> retain(const std::set<Key>& live) {
    std::vector<uint32_t> gone;
    for (auto it = slots_.begin(); it != slots_.end();) {
      if (live.count(it->first) != 0) {
        ++it;
        continue;
      }
      gone.push_back(it->second);
      owners_[it->second].reset();
      free_.push_back(it->second);
      it = slots_.erase(it);
    }
    // Keep handing out the lowest free slots first.
    if (!gone.empty()) std::sort(free_.begin(), free_.end(), std::greater<>());
    return gone;
  }

 private:
  std::map<Key, uint32_t> slots_;
  std::vector<std::optional<Key>> owners_;
  std::vector<uint32_t> free_;  // a stack, lowest slot on top
};

struct InstalledSa {
  dp::SaParams params;
  std::vector<uint32_t> slots;  // outbound only: the SPD pairs' slots it serves
  std::string tunnel_id;
  uint8_t reported_events = 0;  // SaEvent bits already passed to the control plane
  const dp::OutboundSa* object = nullptr;  // outbound: what the slots hold
};

bool same_params(const dp::SaParams& a, const dp::SaParams& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;  // trivially copyable, value-initialised
}

}  // namespace

struct DataplaneRuntime::State {
  io::IoShared shared;
  io::NeighbourTable neighbours;
  io::ResolveRequests resolve_requests;
  std::unique_ptr<io::NeighbourResolver> resolver;
  std::chrono::steady_clock::time_point neighbours_ticked;
  io::AddressSet gateway_ips;
  std::vector<Ipv4Addr> gateway_list;
  rte_mempool* pool = nullptr;
  std::vector<unsigned> lcores;
  std::vector<io::WorkerIoCounters> counters;
  std::vector<std::unique_ptr<io::WorkerContext>> workers;
  std::vector<Ipv4Addr> next_hops;  // per port index, 0.0.0.0 when none
  uint64_t ike_packets = 0;         // punted IKE packets (no engine yet)
  bool running = false;

  // Forwarding: the ESP stages behind the workers' hook.
  std::unique_ptr<dp::SaTables> sas;
  std::unique_ptr<dp::qos::GatewayCapTable> caps;
  std::unique_ptr<dp::HandoffRings> handoff;
  std::unique_ptr<dp::forward::AcquireFlags> acquire;
  // Which worker owns each tunnel's SAs (sa_placement.hpp); every install
  // is counted there and every SA erased from `installed`/`negotiated`
  // released (erase_sa).
  dp::SaPlacement placement{1};
  std::unique_ptr<dp::PublishedTable<dp::RouteTable>> routes;
  std::unique_ptr<dp::PublishedTable<dp::SpdClassifier>> spd;
  dp::forward::ForwardShared forward_shared;
  std::vector<std::unique_ptr<dp::CryptoCtx>> crypto;
  std::vector<std::unique_ptr<dp::forward::ForwardContext>> forward;
  std::vector<std::unique_ptr<dp::forward::OuterReassembly>> reassembly;
  IndexMap gateway_index{dp::qos::kMaxGateways};
  uint32_t outbound_slots = kMinOutboundSlots;  // sized from the quotas in start()
  std::unique_ptr<PairSlots> pair_slots = std::make_unique<PairSlots>(kMinOutboundSlots);
  std::map<uint32_t, uint32_t> gateway_rate;           // index -> Mbps installed
  std::map<std::string, InstalledSa> installed;        // static SA id -> what is in the tables
  BenchKnobs bench;                                    // [bench]: scripts/bench only
  // SAs the IKE engine negotiated, by "in:SPI" / "out:SPI" per tunnel.
  std::map<std::string, InstalledSa> negotiated;
  // Traffic of a tunnel's negotiated SAs that are gone (rekeyed away), so
  // its counters keep counting across rekeys: [in/out][packets/bytes].
  struct Totals {
    uint64_t v[2][2] = {};
  };
  std::map<std::string, Totals> retired_totals;
  uint32_t next_sa_id = 1u << 31;  // sa_ids of negotiated SAs (static ones are below)

  // The counters of an installed SA; null when the tables no longer hold it
  // (an outbound slot may hold a newer SA). The control thread is the only
  // one that frees SAs, so the object stays valid while it reads; the
  // counters are relaxed atomics.
  const dp::SaUsage* usage_of(const InstalledSa& sa) const {
    if (sa.params.direction == dp::SaDirection::inbound) {
      const auto* rt = sas->find_inbound(sa.params.spi, sa.params.tunnel_dst);
      return rt ? &rt->usage : nullptr;
    }
    for (uint32_t slot : sa.slots)
      if (sa.object != nullptr && sas->find_outbound(slot) == sa.object) return &sa.object->usage;
    return nullptr;
  }
  // Forgets an SA of the books: its owner carries one SA fewer.
  std::map<std::string, InstalledSa>::iterator erase_sa(std::map<std::string, InstalledSa>& book,
                                                         std::map<std::string, InstalledSa>::iterator it) {
    placement.release(it->second.tunnel_id);
    return book.erase(it);
  }
  // Takes the SA out of the tables (every slot it holds); it is freed after
  // its grace period.
  void unlink(const InstalledSa& sa) {
    if (sa.params.direction == dp::SaDirection::inbound) {
      sas->remove_inbound(sa.params.spi, sa.params.tunnel_dst);
      return;
    }
    for (uint32_t slot : sa.slots)
      if (sa.object != nullptr && sas->find_outbound(slot) == sa.object) sas->remove_outbound(slot);
  }
  // Outbound SA slots: one per SPD pair. PRODUCT.md's quotas allow
  // customer gateways x tunnels each x rules x peer CIDRs pairs (100 000
  // with the defaults); the table is sized for that, within these bounds.
  static constexpr uint32_t kMinOutboundSlots = 1024;
  static constexpr uint32_t kMaxOutboundSlots = 1u << 20;
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
    pc.mtu = static_cast<uint16_t>(ports[i]->mtu);
    const std::string err = io::port_start(pc, queues, s_->pool, &s_->shared.ports[i]);
    if (!err.empty()) return (i == 0 ? "public port: " : "private port: ") + err;
    s_->shared.port_count = static_cast<uint16_t>(i + 1);
    s_->next_hops.push_back(pc.next_hop);
  }
  s_->shared.ports[0].extra_addresses = &s_->gateway_ips;
  s_->shared.punt = io::create_punt_ring("vpngw_punt");
  if (!s_->shared.punt) return "cannot create the punt ring";
  s_->shared.neighbours = &s_->neighbours;
  s_->shared.arp_seen = io::create_arp_observation_ring("vpngw_arp_seen");
  if (!s_->shared.arp_seen) return "cannot create the ARP observation ring";
  s_->shared.resolve = &s_->resolve_requests;
  {
    std::vector<io::NeighbourPort> ports_seen;
    for (uint16_t i = 0; i < 2; ++i)
      ports_seen.push_back({*ports[i]->host, ports[i]->address->len, s_->next_hops[i],
                            i == 0 ? &s_->gateway_ips : nullptr});
    State* state = s_.get();
    s_->resolver = std::make_unique<io::NeighbourResolver>(
        s_->neighbours, std::move(ports_seen),
        [state](uint16_t port_index, Ipv4Addr target, const rte_ether_addr* to) {
          return io::resolve_next_hop(state->pool, state->shared.ports[port_index], target, to);
        });
    const auto now = std::chrono::steady_clock::now();
    for (uint16_t i = 0; i < 2; ++i) {
      for (const auto& n : ports[i]->static_neighbours) {
        rte_ether_addr mac;
        std::memcpy(mac.addr_bytes, n.mac.data(), n.mac.size());
        if (!s_->resolver->add_static(i, n.ip, mac, now))
          return "static neighbour " + n.ip.str() + ": not on the port's link, or the table is full";
      }
      if (!s_->next_hops[i].is_unspecified()) s_->resolver->add_permanent(i, s_->next_hops[i], now);
    }
  }

  std::string error;
  dp::SaTablesConfig sa_config;
  sa_config.name = "vpngw_sa";
  sa_config.workers = static_cast<uint32_t>(s_->lcores.size());
  s_->bench = cfg.bench;
  sa_config.inbound_capacity = bench_inbound_capacity(cfg.bench, 4096);
  {
    const uint64_t pairs = uint64_t{cfg.quotas.customer_gateways} * cfg.quotas.tunnels_per_customer_gateway *
                           cfg.quotas.spd_rules_per_tunnel * cfg.quotas.peer_cidrs_per_rule;
    s_->outbound_slots = static_cast<uint32_t>(
        std::clamp<uint64_t>(pairs, State::kMinOutboundSlots, State::kMaxOutboundSlots));
    s_->pair_slots = std::make_unique<PairSlots>(s_->outbound_slots);
  }
  sa_config.outbound_slots = s_->outbound_slots;
  s_->sas = dp::SaTables::create(sa_config, &error);
  if (!s_->sas) return "SA tables: " + error;
  s_->caps = std::make_unique<dp::qos::GatewayCapTable>(rte_get_tsc_hz());
  s_->handoff = dp::HandoffRings::create("vpngw_handoff", sa_config.workers, 1024, SOCKET_ID_ANY, &error);
  if (!s_->handoff) return "handoff rings: " + error;
  s_->placement = dp::SaPlacement(sa_config.workers);
  rte_rcu_qsbr* qsbr = s_->sas->rcu().get();
  s_->neighbours.use_rcu(qsbr);
  s_->routes = std::make_unique<dp::PublishedTable<dp::RouteTable>>(qsbr);
  s_->spd = std::make_unique<dp::PublishedTable<dp::SpdClassifier>>(qsbr);
  s_->acquire = std::make_unique<dp::forward::AcquireFlags>(s_->outbound_slots);
  s_->forward_shared.routes = s_->routes.get();
  s_->forward_shared.spd = s_->spd.get();
  s_->forward_shared.sas = s_->sas.get();
  s_->forward_shared.caps = s_->caps.get();
  s_->forward_shared.handoff = s_->handoff.get();
  s_->forward_shared.acquire = s_->acquire.get();
  s_->forward_shared.now = &dp::qos::TscClock::now;

  s_->counters.resize(s_->lcores.size());
  for (size_t i = 0; i < s_->lcores.size(); ++i) {
    auto crypto = dp::CryptoCtx::create({}, &error);
    if (!crypto) return "crypto context: " + error;
    auto reassembly = dp::forward::OuterReassembly::create(dp::qos::TscClock::hz(),
                                                           static_cast<int>(rte_lcore_to_socket_id(s_->lcores[i])),
                                                           &error);
    if (!reassembly) return "worker " + std::to_string(i) + ": " + error;
    auto fwd = std::make_unique<dp::forward::ForwardContext>();
    fwd->shared = &s_->forward_shared;
    fwd->worker_id = static_cast<uint32_t>(i);
    fwd->crypto = crypto.get();
    fwd->reassembly = reassembly.get();
    io::WorkerConfig wc;
    wc.queue = static_cast<uint16_t>(i);
    wc.drains_control_tx = true;  // the least busy worker sends them
    wc.qsbr = qsbr;
    wc.qsbr_thread_id = static_cast<unsigned>(i);
    wc.idle.busy_poll = cfg.busy_poll;
    wc.hook = dp::forward::make_forward_hook(*fwd);
    s_->crypto.push_back(std::move(crypto));
    s_->forward.push_back(std::move(fwd));
    s_->reassembly.push_back(std::move(reassembly));
    auto w = std::make_unique<io::WorkerContext>(&s_->shared, wc, &s_->counters[i]);
    if (!io::launch_worker(s_->lcores[i], w.get())) return "cannot launch worker on lcore " + std::to_string(s_->lcores[i]);
    s_->workers.push_back(std::move(w));
  }
  s_->running = true;
  return {};
}

void DataplaneRuntime::sync(const ResourceSnapshot& state) {
  std::vector<Ipv4Addr> addresses;
  for (const auto& g : state.gateways) addresses.push_back(g.public_ip);
  for (const auto& old : s_->gateway_list)
    if (std::find(addresses.begin(), addresses.end(), old) == addresses.end()) s_->gateway_ips.remove(old);
  for (const auto& a : addresses) s_->gateway_ips.add(a);
  s_->gateway_list = addresses;
  if (!s_->running) return;

  // Gateways: dense indexes and bandwidth caps.
  std::vector<std::string> live;
  for (const auto& g : state.gateways) live.push_back(g.id);
  for (uint32_t gone : s_->gateway_index.retain(live)) {
    s_->caps->remove(gone);
    s_->gateway_rate.erase(gone);
  }
  std::map<std::string, uint32_t> gw_index;
  for (const auto& g : state.gateways) {
    auto idx = s_->gateway_index.index_of(g.id);
    if (!idx) continue;
    gw_index[g.id] = *idx;
    auto it = s_->gateway_rate.find(*idx);
    const uint32_t mbps = bench_cap_mbps(s_->bench, g.bandwidth_mbps);
    if (it == s_->gateway_rate.end())
      s_->caps->install(*idx, dp::qos::mbps_to_bps(mbps));
    else if (it->second != g.bandwidth_mbps)
      s_->caps->set_bandwidth(*idx, dp::qos::mbps_to_bps(mbps));
    s_->gateway_rate[*idx] = g.bandwidth_mbps;
  }

  // Tunnels: an outbound SA slot per SPD pair (local CIDR, peer CIDR); the
  // pair's ACL rule points at it. A CHILD_SA serving several pairs is one
  // SA object in all their slots.
  live.clear();
  for (const auto& t : state.tunnels) live.push_back(t.id);
  for (auto it = s_->negotiated.begin(); it != s_->negotiated.end();) {
    if (std::find(live.begin(), live.end(), it->second.tunnel_id) != live.end()) {
      ++it;
      continue;
    }
    s_->unlink(it->second);  // the tunnel is gone: so are its SAs
    it = s_->erase_sa(s_->negotiated, it);
  }
  std::erase_if(s_->retired_totals,
                [&](const auto& kv) { return std::find(live.begin(), live.end(), kv.first) == live.end(); });
  std::set<PairSlots::Key> live_pairs;
  for (const auto& t : state.tunnels)
    if (gw_index.count(t.gateway_id))
      for (const auto& rule : t.spd)
        for (const auto& peer : rule.peers) live_pairs.insert({t.id, rule.local, peer});
  // Pairs that are gone: their slots are emptied before anyone reuses them.
  for (uint32_t gone : s_->pair_slots->retain(live_pairs)) {
    for (auto* m : {&s_->negotiated, &s_->installed})
      for (auto it = m->begin(); it != m->end();) {
        auto& slots = it->second.slots;
        if (std::find(slots.begin(), slots.end(), gone) == slots.end()) {
          ++it;
          continue;
        }
        if (it->second.object != nullptr && s_->sas->find_outbound(gone) == it->second.object)
          s_->sas->remove_outbound(gone);
        std::erase(slots, gone);
        it = slots.empty() && m == &s_->negotiated ? s_->erase_sa(*m, it) : std::next(it);
      }
  }
  std::map<std::string, std::vector<uint32_t>> slots_of;  // tunnel -> its pairs' slots
  std::vector<dp::SpdRuleSpec> rules;
  bool out_of_slots = false;
  for (const auto& t : state.tunnels) {
    auto gw = gw_index.find(t.gateway_id);
    if (gw == gw_index.end()) continue;
    auto& mine = slots_of[t.id];
    for (const auto& rule : t.spd)
      for (const auto& peer : rule.peers) {
        auto slot = s_->pair_slots->assign({t.id, rule.local, peer});
        if (!slot) {
          out_of_slots = true;
          continue;
        }
        mine.push_back(*slot);
        rules.push_back({gw->second, rule.local, peer, *slot});
      }
    if (mine.empty()) slots_of.erase(t.id);
  }
  if (out_of_slots)
    spdlog::error("dataplane: all {} outbound SA slots are taken; some SPD pairs carry no traffic",
                  s_->outbound_slots);
  std::string error;
  if (auto spd = dp::SpdClassifier::build(rules, &error))
    s_->spd->replace(std::move(spd));
  else
    spdlog::error("dataplane: SPD rebuild failed, keeping the previous one: {}", error);

  std::vector<dp::RouteSpec> routes;
  for (const auto& r : state.routes)
    if (auto gw = gw_index.find(r.gateway_id); gw != gw_index.end()) routes.push_back({r.destination, gw->second});
  if (auto table = dp::RouteTable::build(routes, &error))
    s_->routes->replace(std::move(table));
  else
    spdlog::error("dataplane: route table rebuild failed, keeping the previous one: {}", error);

  // Manually keyed SAs, owned by worker 0 (handoff brings packets to it).
  std::map<std::string, InstalledSa> wanted;
  for (const auto& sa : state.static_sas) {
    auto t = std::find_if(state.tunnels.begin(), state.tunnels.end(), [&](const Tunnel& x) { return x.id == sa.tunnel_id; });
    if (t == state.tunnels.end() || (!sa.inbound && !slots_of.count(t->id))) continue;
    auto g = std::find_if(state.gateways.begin(), state.gateways.end(), [&](const VpnGateway& x) { return x.id == t->gateway_id; });
    auto c = std::find_if(state.customer_gateways.begin(), state.customer_gateways.end(),
                          [&](const CustomerGateway& x) { return x.id == t->customer_gateway_id; });
    if (g == state.gateways.end() || c == state.customer_gateways.end()) continue;
    auto params = to_sa_params(sa, *t, *g, *c);
    if (!params) {
      spdlog::error("dataplane: SA {} not installed: {}: {}", sa.id, params.error().field, params.error().message);
      continue;
    }
    // A static outbound SA serves every pair of its tunnel.
    wanted[sa.id] = InstalledSa{*params, sa.inbound ? std::vector<uint32_t>{} : slots_of[t->id], t->id};
  }
  for (auto it = s_->installed.begin(); it != s_->installed.end();) {
    const auto w = wanted.find(it->first);
    if (w != wanted.end() && same_params(w->second.params, it->second.params) && w->second.slots == it->second.slots) {
      ++it;
      continue;
    }
    s_->unlink(it->second);
    it = s_->erase_sa(s_->installed, it);
  }
  for (auto& [id, sa] : wanted) {
    if (s_->installed.count(id)) continue;
    const bool in = sa.params.direction == dp::SaDirection::inbound;
    const uint32_t owner = s_->placement.place(sa.tunnel_id);
    const bool ok = in ? s_->sas->install_inbound(sa.params, owner, &error)
                       : s_->sas->install_outbound(sa.slots, sa.params, owner, &error);
    if (ok) {
      if (!in) sa.object = s_->sas->find_outbound(sa.slots.front());
      s_->installed[id] = sa;
    } else {
      s_->placement.release(sa.tunnel_id);
      spdlog::error("dataplane: SA {} not installed: {}", id, error);
    }
  }
}

void DataplaneRuntime::reclaim() {
  if (!s_->running) return;
  s_->sas->reclaim();
  s_->neighbours.reclaim();
  s_->routes->reclaim();
  s_->spd->reclaim();
}

void DataplaneRuntime::poll_control(const FrameHandler& on_ike_frame) {
  if (!s_->running) return;
  // Neighbours: what the workers saw of ARP, what they need, and time.
  const auto now = std::chrono::steady_clock::now();
  // At most one ring's worth a turn: an ARP flood the workers keep posting
  // must not keep the control thread here (what does not fit is counted
  // as lost by the workers).
  io::ArpObservation seen[64];
  for (unsigned round = 0, k; round < 16 && (k = io::take_arp_observations(s_->shared.arp_seen, seen, 64)) > 0;
       ++round)
    for (unsigned i = 0; i < k; ++i) s_->resolver->on_arp(seen[i], now);
  for (const auto& [port_index, ip] : s_->resolve_requests.take()) s_->resolver->want(port_index, ip, now);
  if (now - s_->neighbours_ticked >= std::chrono::milliseconds(100)) {
    s_->neighbours_ticked = now;
    s_->resolver->tick(now);
  }
  rte_mbuf* ike[32];
  uint16_t n;
  std::vector<uint8_t> frame;
  while ((n = io::drain_punt_ring(s_->shared.punt, s_->neighbours, ike, 32)) > 0) {
    s_->ike_packets += n;
    for (uint16_t i = 0; i < n; ++i) {
      if (on_ike_frame) {
        frame.resize(rte_pktmbuf_pkt_len(ike[i]));
        if (const void* p = rte_pktmbuf_read(ike[i], 0, static_cast<uint32_t>(frame.size()), frame.data());
            p && p != frame.data())
          std::memcpy(frame.data(), p, frame.size());
        on_ike_frame(frame);
      }
      rte_pktmbuf_free(ike[i]);
    }
  }
}

std::optional<DataplaneRuntime::MacAddr> DataplaneRuntime::public_mac() const {
  if (!s_->running) return std::nullopt;
  MacAddr mac;
  std::memcpy(mac.data(), s_->shared.ports[0].mac.addr_bytes, mac.size());
  return mac;
}

std::optional<DataplaneRuntime::MacAddr> DataplaneRuntime::public_mac_toward(Ipv4Addr dst) {
  if (!s_->running) return std::nullopt;
  const io::PortRuntime& port = s_->shared.ports[0];
  const uint32_t hop_be = dp::forward::next_hop_toward(port, rte_cpu_to_be_32(dst.value));
  if (hop_be == 0) return std::nullopt;
  rte_ether_addr mac;
  if (s_->neighbours.lookup_be(hop_be, &mac)) {
    MacAddr out;
    std::memcpy(out.data(), mac.addr_bytes, out.size());
    return out;
  }
  s_->resolver->want(0, Ipv4Addr{rte_be_to_cpu_32(hop_be)}, std::chrono::steady_clock::now());
  return std::nullopt;
}

bool DataplaneRuntime::send_public_frame(std::span<const uint8_t> frame) {
  if (!s_->running) return false;
  rte_mbuf* m = rte_pktmbuf_alloc(s_->pool);
  if (!m) return false;
  char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
  if (!p) {
    rte_pktmbuf_free(m);
    return false;
  }
  std::memcpy(p, frame.data(), frame.size());
  return io::control_send(s_->shared.ports[0], m);
}

namespace {
std::string negotiated_key(const std::string& tunnel_id, dp::SaDirection direction, uint32_t spi) {
  return tunnel_id + (direction == dp::SaDirection::inbound ? "/in:" : "/out:") + std::to_string(spi);
}
}  // namespace

namespace {
void fold(uint64_t (&into)[2], const dp::SaUsage& usage) {
  into[0] += usage.packets.get();
  into[1] += usage.bytes.get();
}
}  // namespace

bool DataplaneRuntime::install_negotiated(const std::string& tunnel_id, const std::vector<SpdPairRef>& pairs,
                                          const dp::SaParams& params, std::string* error) {
  if (!s_->running) {
    *error = "the dataplane is not running";
    return false;
  }
  dp::SaParams p = params;
  p.sa_id = s_->next_sa_id++;
  // The same outbound SA installed again (new outer addresses: a NATed peer
  // moved) continues its sequence numbers: restarting them would have the
  // peer's replay window drop everything. The skip covers numbers the owner
  // may still draw from the old object before it sees the switch.
  if (p.direction == dp::SaDirection::outbound && p.start_seq == 0)
    if (auto it = s_->negotiated.find(negotiated_key(tunnel_id, p.direction, p.spi));
        it != s_->negotiated.end() && it->second.object != nullptr && s_->usage_of(it->second) != nullptr) {
      constexpr uint64_t kSeqSkip = 1u << 16;
      const uint64_t used = it->second.object->seq.load(std::memory_order_relaxed);
      const uint64_t limit = p.esn ? UINT64_MAX : UINT32_MAX;
      p.start_seq = used < limit - kSeqSkip ? used + kSeqSkip : used;
    }
  if (auto bad = dp::validate_sa_params(p)) {
    *error = bad->field + ": " + bad->message;
    return false;
  }
  const bool in = p.direction == dp::SaDirection::inbound;
  std::vector<uint32_t> slots;
  if (!in) {
    for (const auto& pair : pairs)
      if (auto slot = s_->pair_slots->slot_of({tunnel_id, pair.local, pair.peer});
          slot && std::find(slots.begin(), slots.end(), *slot) == slots.end())
        slots.push_back(*slot);
    if (slots.empty()) {
      *error = "none of the SA's SPD pairs is in the tunnel's SPD";
      return false;
    }
  }
  // The tunnel's worker owns it (sa_placement.hpp): sequence numbers and
  // the replay window stay with one core; other workers hand packets to it.
  const uint32_t owner = s_->placement.place(tunnel_id);
  if (!(in ? s_->sas->install_inbound(p, owner, error) : s_->sas->install_outbound(slots, p, owner, error))) {
    s_->placement.release(tunnel_id);
    return false;
  }
  InstalledSa record{p, slots, tunnel_id};
  if (!in) {
    record.object = s_->sas->find_outbound(slots.front());
    // Outbound SAs of the tunnel lose the slots the new one took; one that
    // holds none any more is gone (its traffic joins the tunnel's totals;
    // the tables free it only after reclaim(), so it can still be read).
    for (auto it = s_->negotiated.begin(); it != s_->negotiated.end();) {
      InstalledSa& other = it->second;
      if (other.tunnel_id != tunnel_id || other.params.direction != dp::SaDirection::outbound) {
        ++it;
        continue;
      }
      std::erase_if(other.slots, [&](uint32_t s) { return std::find(slots.begin(), slots.end(), s) != slots.end(); });
      if (!other.slots.empty()) {
        ++it;
        continue;
      }
      if (other.object != nullptr) fold(s_->retired_totals[tunnel_id].v[1], other.object->usage);
      it = s_->erase_sa(s_->negotiated, it);
    }
  }
  // The same SPI installed again (a NATed peer moved) replaces its record.
  if (auto same = s_->negotiated.find(negotiated_key(tunnel_id, p.direction, p.spi)); same != s_->negotiated.end())
    s_->erase_sa(s_->negotiated, same);
  s_->negotiated[negotiated_key(tunnel_id, p.direction, p.spi)] = record;
  return true;
}

void DataplaneRuntime::remove_negotiated(const std::string& tunnel_id, dp::SaDirection direction, uint32_t spi,
                                         const std::vector<SpdPairRef>& pairs) {
  auto it = s_->negotiated.find(negotiated_key(tunnel_id, direction, spi));
  if (it == s_->negotiated.end()) return;
  InstalledSa& sa = it->second;
  if (direction == dp::SaDirection::outbound && !pairs.empty()) {
    // Only the named pairs' slots; the SA lives on in the others.
    std::vector<uint32_t> drop;
    for (const auto& pair : pairs)
      if (auto slot = s_->pair_slots->slot_of({tunnel_id, pair.local, pair.peer}))
        if (std::find(sa.slots.begin(), sa.slots.end(), *slot) != sa.slots.end()) drop.push_back(*slot);
    if (drop.size() < sa.slots.size()) {
      for (uint32_t slot : drop) {
        if (sa.object != nullptr && s_->sas->find_outbound(slot) == sa.object) s_->sas->remove_outbound(slot);
        std::erase(sa.slots, slot);
      }
      return;
    }
  }
  if (const dp::SaUsage* usage = s_->usage_of(sa))
    fold(s_->retired_totals[tunnel_id].v[direction == dp::SaDirection::inbound ? 0 : 1], *usage);
  s_->unlink(sa);
  s_->erase_sa(s_->negotiated, it);
}

std::pair<uint64_t, uint64_t> DataplaneRuntime::negotiated_usage(const std::string& tunnel_id,
                                                                  dp::SaDirection direction, uint32_t spi) const {
  auto it = s_->negotiated.find(negotiated_key(tunnel_id, direction, spi));
  const dp::SaUsage* usage = it == s_->negotiated.end() ? nullptr : s_->usage_of(it->second);
  if (!usage) return {0, 0};
  return {usage->packets.get(), usage->bytes.get()};
}

std::vector<DataplaneRuntime::Acquire> DataplaneRuntime::take_acquires() {
  std::vector<Acquire> out;
  if (!s_->running) return out;
  for (uint32_t slot : s_->acquire->take())
    if (const auto& key = s_->pair_slots->owner(slot))
      out.push_back({std::get<0>(*key), {std::get<1>(*key), std::get<2>(*key)}});
  return out;
}

std::vector<DataplaneRuntime::SaEventReport> DataplaneRuntime::take_sa_events() {
  std::vector<SaEventReport> out;
  if (!s_->running) return out;
  for (auto& [_, sa] : s_->negotiated) {
    const bool in = sa.params.direction == dp::SaDirection::inbound;
    const dp::SaUsage* usage = s_->usage_of(sa);
    if (!usage) continue;
    const uint8_t events = usage->events.load(std::memory_order_relaxed);
    const uint8_t fresh = events & ~sa.reported_events;
    if (fresh == 0) continue;
    sa.reported_events |= fresh;
    if (fresh & dp::kSaStopped)
      out.push_back({sa.tunnel_id, sa.params.spi, in, true});
    else if (fresh & dp::kSaSoftLifetime)
      out.push_back({sa.tunnel_id, sa.params.spi, in, false});
  }
  return out;
}

bool DataplaneRuntime::inbound_spi_in_use(uint32_t spi) const {
  for (const auto* m : {&s_->installed, &s_->negotiated})
    for (const auto& [_, sa] : *m)
      if (sa.params.direction == dp::SaDirection::inbound && sa.params.spi == spi) return true;
  return false;
}

namespace {
Json neighbour_counters_json(const io::NeighbourCounters& c) {
  return Json{{"requests_sent", c.requests_sent}, {"probes_sent", c.probes_sent}, {"learned", c.learned},
              {"mac_changed", c.mac_changed}, {"confirmed", c.confirmed}, {"resolve_failed", c.resolve_failed},
              {"probe_failed", c.probe_failed}, {"expired", c.expired}, {"evicted", c.evicted},
              {"unsolicited_ignored", c.unsolicited_ignored}, {"unsolicited_refused", c.unsolicited_refused},
              {"invalid_ignored", c.invalid_ignored}, {"table_full", c.table_full},
              {"rate_limited", c.rate_limited}, {"static_kept", c.static_kept}};
}
}  // namespace

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
                       {"punted", p.punted}, {"arp_observations_lost", p.arp_observations_lost}};
  }
  // One drop table (dataplane/drop_reason.hpp): I/O, forwarding and ESP core.
  Json drops = Json::object();
  for (const auto& d : dp::kDropReasons) drops[std::string(d.name)] = t.drops[dp::index_of(d.reason)];
  Json forward{{"encrypted", 0}, {"decrypted", 0}, {"handed_off", 0}, {"fragmented", 0}, {"mss_clamped", 0}, {"icmp_sent", 0}};
  for (const auto& f : s_->forward) {
    const auto& c = f->counters;
    const std::pair<const char*, uint64_t> add[] = {{"encrypted", c.encrypted}, {"decrypted", c.decrypted},
        {"handed_off", c.handed_off}, {"fragmented", c.fragmented}, {"mss_clamped", c.mss_clamped}, {"icmp_sent", c.icmp_sent}};
    for (const auto& [key, n] : add) forward[key] = forward[key].get<uint64_t>() + n;
  }
  uint64_t reassembled = 0;
  for (const auto& r : s_->reassembly) reassembled += r->reassembled();
  forward["reassembled"] = reassembled;
  Json neighbours = neighbour_counters_json(s_->resolver->counters());
  neighbours["entries"] = s_->resolver->size();
  neighbours["packets_held"] = t.neighbour_held;
  neighbours["packets_released"] = t.neighbour_released;
  // Per worker: what it carried, how busy it was, what it handed on.
  Json workers = Json::array();
  for (size_t i = 0; i < s_->lcores.size(); ++i) {
    const io::WorkerIoCounters& w = s_->counters[i];
    const dp::forward::ForwardCounters& f = s_->forward[i]->counters;
    uint64_t rx = 0, tx = 0;
    for (uint16_t p = 0; p < s_->shared.port_count; ++p) {
      rx += w.ports[p].rx_packets;
      tx += w.ports[p].tx_packets;
    }
    workers.push_back({{"id", i}, {"lcore", s_->lcores[i]}, {"rx_packets", rx}, {"tx_packets", tx},
                       {"encrypted", f.encrypted}, {"decrypted", f.decrypted},
                       {"busy_polls", w.polls - w.empty_polls}, {"idle_polls", w.empty_polls},
                       {"idle_sleeps", w.idle_sleeps}, {"handed_off", f.handed_off},
                       {"handoff_received", f.handoff_received}, {"control_sent", w.control_sent}});
  }
  return Json{{"running", true}, {"workers", workers}, {"ports", ports},
              {"drops", drops}, {"forward", forward}, {"neighbours", neighbours},
              {"ike_packets_punted", s_->ike_packets}};
}

Json DataplaneRuntime::neighbours() const {
  if (!s_->running) return Json{{"running", false}, {"items", Json::array()}};
  const char* port_names[2] = {"public", "private"};
  Json list = Json::array();
  for (const auto& n : s_->resolver->list(std::chrono::steady_clock::now())) {
    Json mac = nullptr;
    if (n.mac) {
      const uint8_t* b = n.mac->addr_bytes;
      mac = fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3], b[4], b[5]);
    }
    list.push_back({{"port", n.port_index < 2 ? port_names[n.port_index] : "?"},
                    {"ip", n.ip.str()},
                    {"mac", mac},
                    {"state", std::string(io::name_of(n.state))},
                    {"age_s", std::chrono::duration_cast<std::chrono::seconds>(n.age).count()},
                    {"permanent", n.permanent}});
  }
  const io::NeighbourConfig& c = s_->resolver->config();
  return Json{{"running", true},
              {"items", list},
              {"counters", neighbour_counters_json(s_->resolver->counters())},
              {"limits", {{"max_entries", c.max_entries}, {"max_unsolicited", c.max_unsolicited},
                          {"max_incomplete", c.max_incomplete}, {"arp_per_second", c.arp_per_second},
                          {"queued_per_destination", io::UnresolvedQueue::kPacketsPerDestination},
                          {"queued_destinations_per_worker", io::UnresolvedQueue::kDestinations}}}};
}

Json DataplaneRuntime::tunnel_counters(const std::string& tunnel_id) const {
  Json sas = Json::array();
  uint64_t totals[2][2] = {};  // [in/out][packets/bytes]
  if (auto r = s_->retired_totals.find(tunnel_id); r != s_->retired_totals.end())
    std::memcpy(totals, r->second.v, sizeof totals);
  Json drops = Json::object();
  std::vector<std::pair<std::string, const InstalledSa*>> mine;
  for (const auto& [id, sa] : s_->installed)
    if (sa.tunnel_id == tunnel_id) mine.emplace_back(id, &sa);
  for (const auto& [key, sa] : s_->negotiated)
    if (sa.tunnel_id == tunnel_id) mine.emplace_back("ike", &sa);
  for (const auto& [id, sa_ptr] : mine) {
    const InstalledSa& sa = *sa_ptr;
    const bool in = sa.params.direction == dp::SaDirection::inbound;
    const dp::SaUsage* usage = s_->usage_of(sa);
    if (!usage) continue;
    Json sa_drops = Json::object();
    for (const auto& d : dp::kDropReasons) {
      const uint64_t n = usage->drops[dp::index_of(d.reason)].get();
      if (n == 0) continue;
      sa_drops[std::string(d.name)] = n;
      drops[std::string(d.name)] = drops.value(std::string(d.name), uint64_t{0}) + n;
    }
    const uint64_t packets = usage->packets.get(), bytes = usage->bytes.get();
    totals[in ? 0 : 1][0] += packets;
    totals[in ? 0 : 1][1] += bytes;
    sas.push_back({{"id", id}, {"direction", in ? "in" : "out"}, {"spi", fmt::format("{:08x}", sa.params.spi)},
                   {"packets", packets}, {"bytes", bytes}, {"drops", sa_drops}});
  }
  return Json{{"sas", sas},
              {"in", {{"packets", totals[0][0]}, {"bytes", totals[0][1]}}},
              {"out", {{"packets", totals[1][0]}, {"bytes", totals[1][1]}}},
              {"drops", drops}};
}

dp::SaTables* DataplaneRuntime::sa_tables_for_bench() { return s_->running ? s_->sas.get() : nullptr; }

void DataplaneRuntime::stop() {
  if (!s_ || !s_->running) return;
  for (size_t i = 0; i < s_->workers.size(); ++i) io::stop_worker(s_->lcores[i], s_->workers[i].get());
  s_->workers.clear();
  s_->neighbours.workers_stopped();
  s_->forward.clear();
  s_->reassembly.clear();  // returns held fragments to the pool freed below
  s_->crypto.clear();
  s_->installed.clear();
  s_->negotiated.clear();
  s_->placement.clear();
  s_->routes.reset();
  s_->spd.reset();
  s_->handoff.reset();
  s_->sas.reset();
  s_->caps.reset();
  for (uint16_t i = 0; i < s_->shared.port_count; ++i) io::port_stop(&s_->shared.ports[i]);
  io::free_punt_ring(s_->shared.punt);
  s_->shared.punt = nullptr;
  s_->resolver.reset();
  io::free_arp_observation_ring(s_->shared.arp_seen);
  s_->shared.arp_seen = nullptr;
  rte_mempool_free(s_->pool);
  s_->pool = nullptr;
  s_->running = false;
}

}  // namespace vpngw
