// Benchmark-only knobs: the [bench] table of the daemon config, read by
// scripts/bench (bench/harness/run_bench.py) and nothing else. They make
// vpngwd measurable on one core, and they are wrong for an appliance:
//   cap_mbps          every VPN gateway's bandwidth cap becomes this rate
//                     (the product's tiers stop at 1000 Mbps, which would cap
//                     an encrypt benchmark far below what a core does);
//   churn_sas_per_s   the control thread installs and removes this many
//                     synthetic SAs a second (half inbound, half outbound, in
//                     SPIs and slots no resource uses) through the same
//                     SaTables calls as real SAs: the SA-churn-under-load case;
//   scale_inbound_sas each manually keyed inbound SA is installed this many
//                     times in all, under consecutive SPIs (SPI, SPI+1, ...)
//                     with the same keys and selectors: the SA-table scale
//                     case, without a million API calls.
// None of them is stored or reachable through the API.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "control/api_error.hpp"
#include "control/model.hpp"

namespace vpngw {

namespace dataplane {
class SaTables;
}

struct BenchKnobs {
  uint32_t cap_mbps = 0;           // 0: the gateways' own tiers
  uint32_t churn_sas_per_s = 0;    // 0: no churn
  uint32_t scale_inbound_sas = 0;  // 0 or 1: each inbound static SA once
  bool any() const { return cap_mbps || churn_sas_per_s || scale_inbound_sas > 1; }
};

// Reads [bench] from the config text (already known to parse); unknown keys
// and bad values name the key ("bench.cap_mbps").
Status parse_bench_knobs(const std::string& toml_text, BenchKnobs& out);

// The bandwidth a gateway of `tier_mbps` gets under the knobs.
inline uint32_t bench_cap_mbps(const BenchKnobs& k, uint32_t tier_mbps) {
  return k.cap_mbps ? k.cap_mbps : tier_mbps;
}
// How many inbound SAs the tables must hold for the knobs (at least `base`).
uint32_t bench_inbound_capacity(const BenchKnobs& k, uint32_t base);

// Carries out the SA knobs on the control thread.
class BenchSaDriver {
 public:
  BenchSaDriver(const BenchKnobs& knobs, dataplane::SaTables* tables);
  ~BenchSaDriver();
  // Control thread, every few milliseconds: once the model holds an inbound
  // static SA (and sync() has installed it), installs its scale clones;
  // installs and removes SAs to keep the churn rate, logging the totals once
  // a second.
  void tick(const ResourceSnapshot& state);
  uint64_t installed() const { return installs_; }
  uint64_t removed() const { return removals_; }
  uint64_t failures() const { return failures_; }

 private:
  void install_scale(const ResourceSnapshot& state);
  void churn_step();
  bool scaled_ = false;
  uint64_t last_log_ns_ = 0;
  BenchKnobs knobs_;
  dataplane::SaTables* tables_;
  uint64_t start_ns_ = 0;
  uint64_t steps_ = 0;
  uint64_t installs_ = 0, removals_ = 0, failures_ = 0;
  uint32_t next_spi_ = 0;
  std::deque<uint32_t> live_in_;   // synthetic inbound SPIs, oldest first
  std::deque<uint32_t> live_out_;  // synthetic outbound slots, oldest first
  uint32_t next_slot_ = 0;
};

}  // namespace vpngw
