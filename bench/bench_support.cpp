#include "bench/bench_support.hpp"

#include <rte_cycles.h>
#include <time.h>

#include <cstring>
#include <stdexcept>

namespace vpngw::dataplane::bench {

namespace {
rte_mempool* g_pool = nullptr;  // set by main() after the EAL is up

constexpr uint32_t kLocalHost = 0xC612010A;   // 198.18.1.10
constexpr uint32_t kRemoteHost = 0xC6130214;  // 198.19.2.20

SaParams params(const Algo& algo, SaDirection dir, uint32_t replay_window) {
  SaParams p;
  p.direction = dir;
  p.spi = 0x4242;
  p.cipher = algo.cipher;
  p.integrity = algo.integrity;
  p.cipher_key_len = info_of(algo.cipher).key_len;
  p.auth_key_len = info_of(algo.integrity).key_len;
  for (size_t k = 0; k < p.cipher_key.size(); ++k)
    p.cipher_key[k] = static_cast<uint8_t>(0x31 + 11 * k);
  for (size_t k = 0; k < p.auth_key.size(); ++k) p.auth_key[k] = static_cast<uint8_t>(0x77 + 3 * k);
  p.tunnel_src = Ipv4Addr{0xC0000201};  // 192.0.2.1
  p.tunnel_dst = Ipv4Addr{0xCB007102};  // 203.0.113.2
  p.replay_window = replay_window;
  if (dir == SaDirection::inbound) {
    p.local_count = 1;
    p.local[0] = Cidr{Ipv4Addr{0xC6130000}, 16};
    p.peer_count = 1;
    p.peer[0] = Cidr{Ipv4Addr{0xC6120000}, 16};
  }
  return p;
}
}  // namespace

rte_mempool* bench_pool() { return g_pool; }
void set_bench_pool(rte_mempool* pool) { g_pool = pool; }

World::World(const Algo& algo, uint32_t replay_window) {
  std::string error;
  ctx = CryptoCtx::create({}, &error);
  keys = ImbManager::create(&error);
  if (!ctx || !keys) return;
  out_params = params(algo, SaDirection::outbound, replay_window);
  in_params = params(algo, SaDirection::inbound, replay_window);
  out = make_outbound_sa(out_params, *keys, &error);
  in = make_inbound_sa(in_params, *keys, &error);
}

std::vector<uint8_t> inner_packet(uint16_t size) {
  std::vector<uint8_t> p(size, 0);
  p[0] = 0x45;
  p[2] = static_cast<uint8_t>(size >> 8);
  p[3] = static_cast<uint8_t>(size);
  p[8] = 64;
  p[9] = 17;
  for (int k = 0; k < 4; ++k) {
    p[12 + k] = static_cast<uint8_t>(kLocalHost >> (24 - 8 * k));
    p[16 + k] = static_cast<uint8_t>(kRemoteHost >> (24 - 8 * k));
  }
  uint32_t sum = 0;
  for (size_t k = 0; k < 20; k += 2) sum += uint32_t(p[k] << 8 | p[k + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  p[10] = static_cast<uint8_t>(~sum >> 8);
  p[11] = static_cast<uint8_t>(~sum);
  p[20] = 0x13;
  p[22] = 0x1f;
  p[24] = static_cast<uint8_t>((size - 20) >> 8);
  p[25] = static_cast<uint8_t>(size - 20);
  for (size_t k = 28; k < p.size(); ++k) p[k] = static_cast<uint8_t>(k * 7);
  return p;
}

void rearm(rte_mbuf* m, const std::vector<uint8_t>& inner) {
  m->data_off = RTE_PKTMBUF_HEADROOM;
  m->data_len = static_cast<uint16_t>(inner.size());
  m->pkt_len = inner.size();
  std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), inner.data(), 20);
}

void load(rte_mbuf* m, const std::vector<uint8_t>& wire) {
  m->data_off = RTE_PKTMBUF_HEADROOM;
  m->data_len = static_cast<uint16_t>(wire.size());
  m->pkt_len = wire.size();
  std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), wire.data(), wire.size());
}

std::vector<rte_mbuf*> alloc_mbufs(size_t n) {
  std::vector<rte_mbuf*> v(n);
  if (rte_pktmbuf_alloc_bulk(g_pool, v.data(), static_cast<unsigned>(n)) != 0)
    throw std::runtime_error("mbuf pool exhausted");
  return v;
}

void free_mbufs(std::vector<rte_mbuf*>& v) {
  for (rte_mbuf* m : v) rte_pktmbuf_free(m);
  v.clear();
}

namespace {
uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace

PacketMeter::PacketMeter() : start_cpu_ns_(thread_cpu_ns()) {}

void PacketMeter::report(benchmark::State& state) const {
  const double cpu_ns = static_cast<double>(thread_cpu_ns() - start_cpu_ns_);
  state.SetItemsProcessed(static_cast<int64_t>(packets_));
  if (packets_ != 0)
    state.counters["cycles/pkt"] =
        cpu_ns * static_cast<double>(rte_get_tsc_hz()) / 1e9 / static_cast<double>(packets_);
}

}  // namespace vpngw::dataplane::bench
