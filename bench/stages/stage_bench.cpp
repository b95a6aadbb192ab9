// vpngw_stage_bench: where one worker's cycles go, stage by stage, for the
// product's default suite (aes128-cbc-sha1), one gateway, one SA each way,
// bursts of 32 on ring-backed ports (the pipeline's code, not a NIC's):
//
//   rx      allocating 32 mbufs and copying the frames in: what the
//           harness's net_pcap does for every packet (a NIC's DMA does not
//           cost the core this)
//   classify  io::classify, the worker's ESP / IKE / ARP / plain split
//   forward   forward_burst: parse, flow cache or SA by SPI, TTL/MSS/MTU,
//           ESP (IPsec-MB, streaming), selectors, cap, Ethernet, next hop
//   tx      handing the burst to the port and freeing what it sent
//
// Each stage is timed with the TSC around its own call, so the figures add
// up to the whole round; vpngw_microbench has the ESP step alone
// (encrypt|decrypt/<suite>/<size>/stream) and vpngw_lookup_bench,
// vpngw_tables_bench and vpngw_qos_bench the lookups and the cap.
//   build-bench/bench/stages/vpngw_stage_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/eal.hpp"
#include "dataplane/esp_encap.hpp"
#include "dataplane/forward/forward_context.hpp"
#include "dataplane/io/local_traffic.hpp"
#include "dataplane/io/neighbour_table.hpp"
#include "dataplane/io/port.hpp"
#include "dataplane/io/worker.hpp"
#include "dataplane/qos/tsc_clock.hpp"

namespace vpngw::dataplane::bench {

namespace {

using forward::ForwardContext;
using forward::ForwardShared;

constexpr uint16_t kBurst = 32;
constexpr uint32_t kSlot = 0;
constexpr uint32_t kSpiOut = 0x1001;
constexpr uint32_t kSpiIn = 0x2001;
constexpr rte_ether_addr kNextHopMac{{0x02, 0, 0, 0, 0x01, 0xfe}};
constexpr rte_ether_addr kHostMac{{0x02, 0, 0, 0, 0x02, 0x0a}};

Ipv4Addr ip(const char* dotted) { return *Ipv4Addr::parse(dotted); }

SaParams sa_params(SaDirection direction, uint32_t spi) {
  SaParams p;
  p.sa_id = spi;
  p.direction = direction;
  p.spi = spi;
  p.cipher = EspCipher::aes128_cbc;
  p.integrity = EspIntegrity::hmac_sha1_96;
  p.cipher_key_len = info_of(p.cipher).key_len;
  p.auth_key_len = info_of(p.integrity).key_len;
  for (size_t k = 0; k < p.cipher_key_len; ++k) p.cipher_key[k] = static_cast<uint8_t>(3 + k);
  for (size_t k = 0; k < p.auth_key_len; ++k) p.auth_key[k] = static_cast<uint8_t>(0x40 + k);
  // As the harness's decrypt case (and ipsec-secgw): replayed packets pass.
  p.replay_window = 0;
  if (direction == SaDirection::outbound) {
    p.tunnel_src = ip("192.0.2.1");
    p.tunnel_dst = ip("203.0.113.2");
  } else {
    p.tunnel_src = ip("203.0.113.2");
    p.tunnel_dst = ip("192.0.2.1");
    p.local_count = 1;
    p.local[0] = Cidr{ip("198.18.0.0"), 16};
    p.peer_count = 1;
    p.peer[0] = Cidr{ip("198.19.0.0"), 16};
  }
  return p;
}

// An Ethernet + IPv4 + UDP frame of `inner` IP bytes.
std::vector<uint8_t> plain_frame(const rte_ether_addr& dst_mac, const char* src, const char* dst,
                                 uint16_t inner) {
  std::vector<uint8_t> f(sizeof(rte_ether_hdr) + inner, 0x5a);
  auto* eth = reinterpret_cast<rte_ether_hdr*>(f.data());
  eth->dst_addr = dst_mac;
  eth->src_addr = kHostMac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  auto* iph = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  std::memset(iph, 0, sizeof(*iph));
  iph->version_ihl = 0x45;
  iph->total_length = rte_cpu_to_be_16(inner);
  iph->time_to_live = 64;
  iph->next_proto_id = IPPROTO_UDP;
  iph->src_addr = rte_cpu_to_be_32(ip(src).value);
  iph->dst_addr = rte_cpu_to_be_32(ip(dst).value);
  iph->hdr_checksum = rte_ipv4_cksum(iph);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(iph + 1);
  udp->src_port = rte_cpu_to_be_16(10000);
  udp->dst_port = rte_cpu_to_be_16(5001);
  udp->dgram_len = rte_cpu_to_be_16(static_cast<uint16_t>(inner - sizeof(*iph)));
  udp->dgram_cksum = 0;
  return f;
}

// One worker's pipeline on two ring-backed ports (0 public, 1 private).
class Rig {
 public:
  bool up(std::string* error);
  ~Rig();

  // One round of `frames` arriving on `port`; adds each stage's TSC cycles.
  void round(uint16_t port, const std::vector<std::vector<uint8_t>>& frames,
             std::array<uint64_t, 4>& cycles, uint64_t& sent);
  void flush();

  // The public port's frame of an ESP packet sealed by the outbound mirror
  // of the inbound SA, carrying `inner` bytes.
  std::vector<uint8_t> sealed_frame(uint16_t inner, std::string* error);

  const io::PortRuntime& port(uint16_t p) const { return io_.ports[p]; }
  // Frames classify() sent to the forwarding hook, so far.
  uint64_t forwarded() const { return forwarded_; }

 private:
  rte_mbuf* mbuf_of(const std::vector<uint8_t>& frame);
  uint64_t drain(uint16_t p);

  rte_mempool* pool_ = nullptr;
  uint64_t forwarded_ = 0;
  std::array<rte_ring*, 2> rx_{};
  std::array<rte_ring*, 2> tx_{};
  std::array<std::string, 2> names_;
  io::IoShared io_;
  io::NeighbourTable neighbours_;
  io::WorkerIoCounters io_counters_;
  std::unique_ptr<io::WorkerContext> worker_;
  std::unique_ptr<SaTables> sas_;
  std::unique_ptr<PublishedTable<RouteTable>> routes_;
  std::unique_ptr<PublishedTable<SpdClassifier>> spd_;
  std::unique_ptr<qos::GatewayCapTable> caps_;
  ForwardShared shared_;
  std::unique_ptr<CryptoCtx> crypto_;
  std::unique_ptr<ForwardContext> ctx_;
};

bool Rig::up(std::string* error) {
  pool_ = rte_pktmbuf_pool_create("stage_pool", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                  SOCKET_ID_ANY);
  if (pool_ == nullptr) return *error = "mbuf pool", false;
  const std::array<io::PortConfig, 2> configs{{
      {0, ip("192.0.2.1"), 24, ip("192.0.2.254"), 1500, false},
      {0, ip("198.18.1.1"), 16, Ipv4Addr{}, 1500, false},
  }};
  for (uint16_t p = 0; p < 2; ++p) {
    const std::string n = std::to_string(p);
    rx_[p] = rte_ring_create(("stage_rx" + n).c_str(), 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    tx_[p] = rte_ring_create(("stage_tx" + n).c_str(), 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (rx_[p] == nullptr || tx_[p] == nullptr) return *error = "rings", false;
    names_[p] = "net_ring_s" + n;
    const int port_id = rte_eth_from_rings(names_[p].c_str(), &rx_[p], 1, &tx_[p], 1, 0);
    if (port_id < 0) return *error = "ring port", false;
    io::PortConfig config = configs[p];
    config.port_id = static_cast<uint16_t>(port_id);
    if (std::string e = io::port_start(config, 1, pool_, &io_.ports[p]); !e.empty())
      return *error = e, false;
  }
  io_.port_count = 2;
  io_.neighbours = &neighbours_;
  neighbours_.learn(ip("192.0.2.254"), kNextHopMac);
  neighbours_.learn(ip("198.18.1.10"), kHostMac);

  SaTablesConfig sa_config;
  sa_config.name = "stage_sa";
  sa_config.workers = 1;
  sa_config.inbound_capacity = 64;
  sa_config.outbound_slots = 16;
  sas_ = SaTables::create(sa_config, error);
  if (!sas_ || !sas_->install_outbound(kSlot, sa_params(SaDirection::outbound, kSpiOut), 0, error) ||
      !sas_->install_inbound(sa_params(SaDirection::inbound, kSpiIn), 0, error))
    return false;
  const std::array<RouteSpec, 1> routes{{{Cidr{ip("198.19.0.0"), 16}, 0}}};
  auto route_table = RouteTable::build(routes, error);
  if (!route_table) return false;
  routes_ = std::make_unique<PublishedTable<RouteTable>>(sas_->rcu().get(), std::move(route_table));
  const std::array<SpdRuleSpec, 1> rules{{{0, Cidr{ip("198.18.0.0"), 16}, Cidr{ip("198.19.0.0"), 16}, kSlot}}};
  auto classifier = SpdClassifier::build(rules, error);
  if (!classifier) return false;
  spd_ = std::make_unique<PublishedTable<SpdClassifier>>(sas_->rcu().get(), std::move(classifier));
  // The gateway's cap far above what one core sends: the bucket is checked
  // per burst as in production, and never drops.
  caps_ = std::make_unique<qos::GatewayCapTable>(qos::TscClock::hz());
  if (!caps_->install(0, qos::mbps_to_bps(100000))) return *error = "cap", false;

  shared_.routes = routes_.get();
  shared_.spd = spd_.get();
  shared_.sas = sas_.get();
  shared_.caps = caps_.get();
  shared_.now = &qos::TscClock::now;
  crypto_ = CryptoCtx::create({}, error);
  if (!crypto_) return false;
  ctx_ = std::make_unique<ForwardContext>();
  ctx_->shared = &shared_;
  ctx_->crypto = crypto_.get();
  worker_ = std::make_unique<io::WorkerContext>(&io_, io::WorkerConfig{}, &io_counters_);
  return true;
}

Rig::~Rig() {
  if (ctx_ && worker_) flush();
  worker_.reset();
  routes_.reset();
  spd_.reset();
  sas_.reset();
  for (uint16_t p = 0; p < 2; ++p) {
    if (io_.ports[p].control_tx != nullptr) io::port_stop(&io_.ports[p]);
    for (rte_ring* r : {rx_[p], tx_[p]}) {
      if (r == nullptr) continue;
      void* m = nullptr;
      while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      rte_ring_free(r);
    }
  }
}

rte_mbuf* Rig::mbuf_of(const std::vector<uint8_t>& frame) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  if (m == nullptr) return nullptr;
  char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
  std::memcpy(p, frame.data(), frame.size());
  return m;
}

uint64_t Rig::drain(uint16_t p) {
  std::array<void*, 64> out;
  uint64_t n = 0;
  unsigned got;
  while ((got = rte_ring_dequeue_burst(tx_[p], out.data(), out.size(), nullptr)) != 0) {
    rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf**>(out.data()), got);
    n += got;
  }
  return n;
}

void Rig::round(uint16_t port, const std::vector<std::vector<uint8_t>>& frames,
                std::array<uint64_t, 4>& cycles, uint64_t& sent) {
  std::array<rte_mbuf*, kBurst> pkts;
  const auto n = static_cast<uint16_t>(frames.size());
  const uint64_t t0 = rte_rdtsc();
  for (uint16_t i = 0; i < n; ++i) pkts[i] = mbuf_of(frames[i]);
  const uint64_t t1 = rte_rdtsc();
  uint16_t plain = 0;
  for (uint16_t i = 0; i < n; ++i) {
    const io::PacketClass c = io::classify(pkts[i], io_.ports[port]);
    plain += c == io::PacketClass::forward;
  }
  forwarded_ += plain;
  const uint64_t t2 = rte_rdtsc();
  forward::forward_burst(*ctx_, *worker_, port, pkts.data(), n);
  const uint64_t t3 = rte_rdtsc();
  io::tx_flush(*worker_);
  sent += drain(0) + drain(1);
  const uint64_t t4 = rte_rdtsc();
  cycles[0] += t1 - t0;
  cycles[1] += t2 - t1;
  cycles[2] += t3 - t2;
  cycles[3] += t4 - t3;
}

void Rig::flush() {
  forward::forward_flush(*ctx_, *worker_);
  io::tx_flush(*worker_);
  drain(0);
  drain(1);
}

std::vector<uint8_t> Rig::sealed_frame(uint16_t inner, std::string* error) {
  // The peer's side of the inbound SA: same SPI and keys, outbound.
  SaParams mirror = sa_params(SaDirection::outbound, kSpiIn);
  mirror.tunnel_src = ip("203.0.113.2");
  mirror.tunnel_dst = ip("192.0.2.1");
  auto keys = ImbManager::create(error);
  if (!keys) return {};
  auto sa = make_outbound_sa(mirror, *keys, error);
  if (!sa) return {};
  std::vector<uint8_t> plain = plain_frame(kHostMac, "198.19.0.5", "198.18.1.10", inner);
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(inner));
  std::memcpy(p, plain.data() + sizeof(rte_ether_hdr), inner);
  OutboundSa* sas[1] = {sa.get()};
  DropReason why{};
  if (esp_encap_burst(*crypto_, &m, sas, 1, &why) != 1) {
    rte_pktmbuf_free(m);
    return *error = "sealing the inbound frame failed", std::vector<uint8_t>{};
  }
  std::vector<uint8_t> f(sizeof(rte_ether_hdr) + rte_pktmbuf_data_len(m));
  auto* eth = reinterpret_cast<rte_ether_hdr*>(f.data());
  eth->dst_addr = io_.ports[0].mac;
  eth->src_addr = kNextHopMac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  std::memcpy(f.data() + sizeof(rte_ether_hdr), rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_data_len(m));
  rte_pktmbuf_free(m);
  return f;
}

Rig* g_rig = nullptr;  // set by main for the benchmark functions (EAL-wide objects)

void stages(benchmark::State& state, bool outbound, uint16_t inner) {
  Rig& rig = *g_rig;
  std::string error;
  std::vector<uint8_t> frame =
      outbound ? plain_frame(rig.port(1).mac, "198.18.1.10", "198.19.0.5", inner)
               : rig.sealed_frame(inner, &error);
  if (frame.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  const std::vector<std::vector<uint8_t>> frames(kBurst, frame);
  const uint16_t port = outbound ? 1 : 0;
  std::array<uint64_t, 4> warm{};
  uint64_t warm_sent = 0;
  for (int i = 0; i < 64; ++i) rig.round(port, frames, warm, warm_sent);
  std::array<uint64_t, 4> cycles{};
  uint64_t sent = 0;
  uint64_t packets = 0;
  const uint64_t forwarded_before = rig.forwarded();
  for (auto _ : state) {
    rig.round(port, frames, cycles, sent);
    packets += kBurst;
  }
  rig.flush();
  state.SetItemsProcessed(static_cast<int64_t>(packets));
  const auto per_packet = [&](uint64_t c) { return static_cast<double>(c) / static_cast<double>(packets); };
  state.counters["rx_cyc"] = per_packet(cycles[0]);
  state.counters["classify_cyc"] = per_packet(cycles[1]);
  state.counters["forward_cyc"] = per_packet(cycles[2]);
  state.counters["tx_cyc"] = per_packet(cycles[3]);
  state.counters["total_cyc"] = per_packet(cycles[0] + cycles[1] + cycles[2] + cycles[3]);
  // Every packet must come out (streamed ones by the next rounds): a
  // figure for a pipeline that drops would be meaningless.
  if (rig.forwarded() - forwarded_before != packets)
    state.SkipWithError("classify did not send every frame to the forwarding hook");
  else if (sent + kBurst * 8 < packets)
    state.SkipWithError("packets were dropped");
}

}  // namespace

}  // namespace vpngw::dataplane::bench

int main(int argc, char** argv) {
  using namespace vpngw::dataplane;
  benchmark::Initialize(&argc, argv);
  const std::string prefix = "vpngw-sbench-" + std::to_string(getpid());
  const std::string err = eal_init({"--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix,
                                    "--log-level=error"});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  int rc = 0;
  {
    bench::Rig rig;
    std::string error;
    if (!rig.up(&error)) {
      std::fprintf(stderr, "vpngw_stage_bench: %s\n", error.c_str());
      rc = 1;
    } else {
      bench::g_rig = &rig;
      for (uint16_t size : {64, 1420})
        for (bool out : {true, false})
          benchmark::RegisterBenchmark(
              (std::string(out ? "outbound" : "inbound") + "/aes128-cbc-sha1/" + std::to_string(size)).c_str(),
              bench::stages, out, size);
      benchmark::RunSpecifiedBenchmarks();
      bench::g_rig = nullptr;
    }
  }
  benchmark::Shutdown();
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
  return rc;
}
