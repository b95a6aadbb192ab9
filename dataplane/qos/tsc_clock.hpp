// The production clock for the caps: the CPU's time-stamp counter through
// DPDK. No syscall; read once per burst by the worker and passed to admit().
#pragma once

#include <rte_cycles.h>

#include <cstdint>

namespace vpngw::dataplane::qos {

struct TscClock {
  static uint64_t now() { return rte_rdtsc(); }
  static uint64_t hz() { return rte_get_tsc_hz(); }  // valid after rte_eal_init
};

}  // namespace vpngw::dataplane::qos
