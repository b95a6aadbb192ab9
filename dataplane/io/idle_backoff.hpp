// When a worker sees no packets for a while it sleeps a little, longer each
// time, so an idle appliance does not burn its cores; the first packet resets
// it. Pure logic (no clock, no sleeping) so the policy is testable on its own.
#pragma once

#include <algorithm>
#include <cstdint>

namespace vpngw::dataplane::io {

struct IdleBackoffConfig {
  uint32_t empty_polls_before_sleep = 256;
  uint32_t first_sleep_us = 1;
  uint32_t max_sleep_us = 1000;
  bool busy_poll = false;  // benchmarks: never sleep
};

class IdleBackoff {
 public:
  explicit IdleBackoff(IdleBackoffConfig config) : config_(config) {}

  // Called after every poll round with how many packets it received.
  // Returns how long to sleep now, 0 for "poll again at once".
  uint32_t after_poll(uint32_t received) {
    if (received != 0 || config_.busy_poll) {
      empty_polls_ = 0;
      sleep_us_ = 0;
      return 0;
    }
    if (empty_polls_ < config_.empty_polls_before_sleep) {
      ++empty_polls_;
      return 0;
    }
    sleep_us_ = sleep_us_ == 0 ? config_.first_sleep_us
                               : std::min(sleep_us_ * 2, config_.max_sleep_us);
    return sleep_us_;
  }

  uint32_t current_sleep_us() const { return sleep_us_; }

 private:
  IdleBackoffConfig config_;
  uint32_t empty_polls_ = 0;
  uint32_t sleep_us_ = 0;
};

}  // namespace vpngw::dataplane::io
