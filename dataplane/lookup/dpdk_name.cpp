#include "dataplane/lookup/dpdk_name.hpp"

#include <atomic>
#include <cstdint>

namespace vpngw::dataplane {

std::string unique_dpdk_name(std::string_view prefix) {
  // Mirrors DPDK's process-wide name space, hence process-wide itself.
  // Relaxed: only uniqueness matters, not ordering with other memory.
  static std::atomic<uint64_t> next{0};
  const uint64_t n = next.fetch_add(1, std::memory_order_relaxed);
  return std::string(prefix) + "-" + std::to_string(n);
}

}  // namespace vpngw::dataplane
