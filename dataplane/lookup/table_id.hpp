// Identity of a built lookup table, for readers that cache lookup results:
// a replacement table always has a new id, even when it happens to be
// allocated where a freed one was (an address could repeat, an id cannot).
#pragma once

#include <atomic>
#include <cstdint>

namespace vpngw::dataplane {

// 1, 2, 3, ... across the process; never 0, so 0 can mean "no table seen".
inline uint64_t next_table_id() noexcept {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace vpngw::dataplane
