// vpngw's ESP core on bursts of 32 packets: encapsulation and decapsulation
// per suite and inner size, synchronous (flush every burst) and streaming
// (jobs stay in flight across bursts). The stand-in for RX is included in
// the time: re-arming the inner header (encrypt) or copying the ESP packet
// in (decrypt); bench "copy_only" measures that copy alone.
#include <rte_mbuf.h>

#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "dataplane/esp_decap.hpp"
#include "dataplane/esp_encap.hpp"

namespace vpngw::dataplane::bench {

namespace {

// Packets sealed once, replayed into mbufs for the decrypt benchmarks. 8
// bursts' worth keeps them in L2 like freshly received packets in LLC.
constexpr size_t kSealedBursts = 8;

std::vector<std::vector<uint8_t>> seal_ring(World& w, uint16_t size) {
  std::vector<std::vector<uint8_t>> ring;
  const auto inner = inner_packet(size);
  std::vector<rte_mbuf*> m = alloc_mbufs(kBurst);
  OutboundSa* sas[kBurst];
  DropReason why[kBurst];
  for (auto& s : sas) s = w.out.get();
  for (size_t b = 0; b < kSealedBursts; ++b) {
    for (rte_mbuf* p : m) {
      rte_pktmbuf_reset(p);
      std::memcpy(rte_pktmbuf_append(p, size), inner.data(), size);
    }
    esp_encap_burst(*w.ctx, m.data(), sas, kBurst, why);
    for (rte_mbuf* p : m) {
      const uint8_t* d = rte_pktmbuf_mtod(p, const uint8_t*);
      ring.emplace_back(d, d + p->data_len);
    }
  }
  free_mbufs(m);
  return ring;
}

void encrypt_sync(benchmark::State& state, Algo algo, uint16_t size) {
  World w(algo);
  if (!w.ok()) return state.SkipWithError("setup failed");
  const auto inner = inner_packet(size);
  std::vector<rte_mbuf*> m = alloc_mbufs(kBurst);
  rte_mbuf* work[kBurst];
  OutboundSa* sas[kBurst];
  DropReason why[kBurst];
  for (auto& s : sas) s = w.out.get();
  for (rte_mbuf* p : m) load(p, inner);
  PacketMeter meter;
  for (auto _ : state) {
    for (uint16_t k = 0; k < kBurst; ++k) {
      rearm(m[k], inner);
      work[k] = m[k];
    }
    if (esp_encap_burst(*w.ctx, work, sas, kBurst, why) != kBurst)
      return state.SkipWithError("drops");
    meter.add(kBurst);
  }
  meter.report(state);
  free_mbufs(m);
}

void encrypt_stream(benchmark::State& state, Algo algo, uint16_t size) {
  World w(algo);
  if (!w.ok()) return state.SkipWithError("setup failed");
  const auto inner = inner_packet(size);
  std::vector<rte_mbuf*> all = alloc_mbufs(kMaxInFlight + 4 * kBurst);
  std::vector<rte_mbuf*> ready = all;
  for (rte_mbuf* p : all) load(p, inner);
  OutboundSa* sas[kBurst];
  for (auto& s : sas) s = w.out.get();
  PacketMeter meter;
  auto take_back = [&](const FinishedBurst& f) {
    ready.insert(ready.end(), f.pkts, f.pkts + f.n);
    meter.add(f.n_good);
    return f.n == f.n_good;
  };
  for (auto _ : state) {
    rte_mbuf* burst[kBurst];
    for (uint16_t k = 0; k < kBurst; ++k) {
      burst[k] = ready.back();
      ready.pop_back();
      rearm(burst[k], inner);
    }
    if (!take_back(esp_encap_submit(*w.ctx, burst, sas, kBurst)))
      return state.SkipWithError("drops");
  }
  take_back(esp_encap_flush(*w.ctx));
  meter.report(state);
  free_mbufs(all);
}

void decrypt_sync(benchmark::State& state, Algo algo, uint16_t size) {
  World w(algo);
  if (!w.ok()) return state.SkipWithError("setup failed");
  const auto ring = seal_ring(w, size);
  std::vector<rte_mbuf*> m = alloc_mbufs(kBurst);
  rte_mbuf* work[kBurst];
  InboundSa* sas[kBurst];
  DropReason why[kBurst];
  for (auto& s : sas) s = w.in.get();
  size_t next = 0;
  PacketMeter meter;
  for (auto _ : state) {
    if (next == ring.size()) {
      // Same sequence numbers again: start the window over (1 KB memset
      // per 256 packets) so the replay check stays in the measured path.
      w.in->replay.reset(w.in_params.replay_window, false);
      next = 0;
    }
    for (uint16_t k = 0; k < kBurst; ++k) {
      load(m[k], ring[next++]);
      work[k] = m[k];
    }
    if (esp_decap_burst(*w.ctx, work, sas, kBurst, why) != kBurst)
      return state.SkipWithError("drops");
    meter.add(kBurst);
  }
  meter.report(state);
  free_mbufs(m);
}

void decrypt_stream(benchmark::State& state, Algo algo, uint16_t size) {
  World w(algo);
  if (!w.ok()) return state.SkipWithError("setup failed");
  const auto ring = seal_ring(w, size);
  std::vector<rte_mbuf*> all = alloc_mbufs(kMaxInFlight + 4 * kBurst);
  std::vector<rte_mbuf*> ready = all;
  InboundSa* sas[kBurst];
  for (auto& s : sas) s = w.in.get();
  size_t next = 0;
  PacketMeter meter;
  auto take_back = [&](const FinishedBurst& f) {
    ready.insert(ready.end(), f.pkts, f.pkts + f.n);
    meter.add(f.n_good);
    return f.n == f.n_good;
  };
  for (auto _ : state) {
    if (next == ring.size()) {
      // Everything in flight must be finished before the window restarts.
      take_back(esp_decap_flush(*w.ctx));
      w.in->replay.reset(w.in_params.replay_window, false);
      next = 0;
    }
    rte_mbuf* burst[kBurst];
    for (uint16_t k = 0; k < kBurst; ++k) {
      burst[k] = ready.back();
      ready.pop_back();
      load(burst[k], ring[next++]);
    }
    if (!take_back(esp_decap_submit(*w.ctx, burst, sas, kBurst)))
      return state.SkipWithError("drops");
  }
  take_back(esp_decap_flush(*w.ctx));
  meter.report(state);
  free_mbufs(all);
}

// What the decrypt benchmarks spend on loading packets, to subtract.
void copy_only(benchmark::State& state, uint16_t size) {
  const std::vector<uint8_t> wire(size + 60u, 0xab);
  std::vector<rte_mbuf*> m = alloc_mbufs(kBurst);
  PacketMeter meter;
  for (auto _ : state) {
    for (rte_mbuf* p : m) load(p, wire);
    benchmark::ClobberMemory();
    meter.add(kBurst);
  }
  meter.report(state);
  free_mbufs(m);
}

}  // namespace

void register_esp_benchmarks() {
  for (const Algo& a : kAlgos) {
    for (uint16_t size : kInnerSizes) {
      const std::string tail = std::string(a.name) + "/" + std::to_string(size);
      benchmark::RegisterBenchmark(("encrypt/" + tail + "/stream").c_str(), encrypt_stream, a,
                                   size);
      benchmark::RegisterBenchmark(("encrypt/" + tail + "/sync").c_str(), encrypt_sync, a, size);
      benchmark::RegisterBenchmark(("decrypt/" + tail + "/stream").c_str(), decrypt_stream, a,
                                   size);
      benchmark::RegisterBenchmark(("decrypt/" + tail + "/sync").c_str(), decrypt_sync, a, size);
    }
  }
  for (uint16_t size : kInnerSizes)
    benchmark::RegisterBenchmark(("copy_only/" + std::to_string(size)).c_str(), copy_only, size);
}

}  // namespace vpngw::dataplane::bench
