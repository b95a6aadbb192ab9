// Shared pieces of the micro-benchmarks: the algorithm suites we report,
// SA pairs built like production ones, test-address inner packets, the mbuf
// pool, and turning TSC ticks into cycles per packet.
#pragma once

#include <benchmark/benchmark.h>
#include <rte_mbuf.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/crypto_ctx.hpp"
#include "dataplane/imb_manager.hpp"
#include "dataplane/sa_runtime.hpp"

namespace vpngw::dataplane::bench {

struct Algo {
  const char* name;
  EspCipher cipher;
  EspIntegrity integrity;
};

inline constexpr std::array<Algo, 5> kAlgos{{
    {"aes128-cbc-sha1", EspCipher::aes128_cbc, EspIntegrity::hmac_sha1_96},
    {"aes256-cbc-sha256", EspCipher::aes256_cbc, EspIntegrity::hmac_sha256_128},
    {"3des-cbc-sha1", EspCipher::des3_cbc, EspIntegrity::hmac_sha1_96},
    {"aes128-gcm", EspCipher::aes128_gcm, EspIntegrity::none},
    {"aes256-gcm", EspCipher::aes256_gcm, EspIntegrity::none},
}};
inline constexpr std::array<uint16_t, 3> kInnerSizes{64, 512, 1420};
inline constexpr uint16_t kBurst = 32;

rte_mempool* bench_pool();
void set_bench_pool(rte_mempool* pool);

// One worker's view: crypto context, key manager, and both SA directions
// (the inbound one accepts what the outbound one sends).
struct World {
  explicit World(const Algo& algo, uint32_t replay_window = 1024);
  std::unique_ptr<CryptoCtx> ctx;
  std::unique_ptr<ImbManager> keys;
  SaParams out_params;
  SaParams in_params;
  std::unique_ptr<OutboundSa> out;
  std::unique_ptr<InboundSa> in;
  bool ok() const { return ctx && keys && out && in; }
};

// An IPv4/UDP packet of `size` bytes between the selectors' test prefixes.
std::vector<uint8_t> inner_packet(uint16_t size);

// Puts the inner packet's header back at the default headroom: what the
// benchmark's stand-in for RX does before every burst (the payload bytes
// left from the last round cost the crypto the same).
void rearm(rte_mbuf* m, const std::vector<uint8_t>& inner);
// Copies a whole ESP packet into the mbuf (inbound stand-in for RX).
void load(rte_mbuf* m, const std::vector<uint8_t>& wire);

std::vector<rte_mbuf*> alloc_mbufs(size_t n);
void free_mbufs(std::vector<rte_mbuf*>& v);

// Reports items_per_second (packets per second of CPU time) and cycles
// per packet: this thread's CPU time at the TSC's nominal rate, so time the
// shared machine gave to other processes is not counted.
class PacketMeter {
 public:
  PacketMeter();
  void add(uint64_t packets) { packets_ += packets; }
  void report(benchmark::State& state) const;

 private:
  uint64_t start_cpu_ns_;
  uint64_t packets_ = 0;
};

}  // namespace vpngw::dataplane::bench
