// The anti-replay window alone: the pre-check, re-check and update each
// inbound packet pays, in order and with realistic reordering.
#include <algorithm>
#include <random>
#include <vector>

#include "bench/bench_support.hpp"
#include "dataplane/anti_replay.hpp"

namespace vpngw::dataplane::bench {

namespace {

void replay(benchmark::State& state, uint32_t window, bool esn, bool reordered) {
  ReplayWindow w;
  w.reset(window, esn);
  // 4096 numbers, shuffled within groups of 32 when reordered (a burst
  // arriving out of order across RX queues), repeated with an offset.
  std::vector<uint32_t> offsets(4096);
  for (uint32_t k = 0; k < offsets.size(); ++k) offsets[k] = k + 1;
  if (reordered) {
    std::mt19937 rng(7);
    for (size_t g = 0; g < offsets.size(); g += 32)
      std::shuffle(offsets.begin() + static_cast<long>(g),
                   offsets.begin() + static_cast<long>(g + 32), rng);
  }
  uint64_t base = esn ? 0xFFFF0000u : 0;
  size_t i = 0;
  uint64_t accepted = 0;
  PacketMeter meter;
  for (auto _ : state) {
    const uint64_t seq = base + offsets[i];
    const ReplayCheck c = w.check(static_cast<uint32_t>(seq));
    if (c.verdict == ReplayVerdict::ok && w.accepts(c.seq) == ReplayVerdict::ok) {
      w.update(c.seq);
      ++accepted;
    }
    if (++i == offsets.size()) {
      i = 0;
      base += offsets.size();
      if (!esn && base > 0xF0000000u) {  // stay clear of the 32-bit end
        base = 0;
        w.reset(window, esn);
      }
    }
  }
  meter.add(state.iterations());
  meter.report(state);
  if (accepted != static_cast<uint64_t>(state.iterations()))
    state.SkipWithError("a packet was refused");
}

}  // namespace

void register_replay_benchmarks() {
  for (uint32_t window : {1024u, 4096u}) {
    for (bool reordered : {false, true}) {
      for (bool esn : {false, true}) {
        const std::string name = "replay_check_update/" + std::to_string(window) +
                                 (reordered ? "/reordered" : "/in_order") + (esn ? "/esn" : "");
        benchmark::RegisterBenchmark(name.c_str(), replay, window, esn, reordered);
      }
    }
  }
}

}  // namespace vpngw::dataplane::bench
