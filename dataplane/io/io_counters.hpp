// A worker's counters: per port, and drops by reason for the whole worker
// (the I/O layer, the forwarding stages and the ESP core all count into
// `drops`, indexed by the one DropReason table, dataplane/drop_reason.hpp).
// Each worker owns one cache-aligned WorkerIoCounters and is its only
// writer; the control thread sums them on read (a torn read of a counter is
// impossible on x86-64 for aligned 64-bit values, and a slightly stale sum is
// fine for statistics).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <rte_common.h>

#include "dataplane/drop_reason.hpp"

namespace vpngw::dataplane::io {

inline constexpr size_t kMaxPorts = 4;

struct PortCounters {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t arp_replies_sent = 0;
  uint64_t icmp_replies_sent = 0;
  uint64_t punted = 0;  // IKE (and, without an ARP record ring, ARP replies) to the control thread
  uint64_t to_hook = 0;  // handed to the forwarding stages
  uint64_t arp_observations_lost = 0;  // ARP seen but not passed on: the ring was full
};

struct alignas(RTE_CACHE_LINE_SIZE) WorkerIoCounters {
  std::array<PortCounters, kMaxPorts> ports{};
  std::array<uint64_t, kDropReasonCount> drops{};
  uint64_t polls = 0;
  uint64_t empty_polls = 0;
  uint64_t idle_sleeps = 0;      // how many times the worker slept
  uint64_t current_sleep_us = 0;  // 0 while the worker is busy
  uint64_t control_sent = 0;        // control thread frames (IKE, ARP) this worker sent
  uint64_t neighbour_held = 0;      // packets that waited for a next hop's MAC
  uint64_t neighbour_released = 0;  // ... and were sent when it was resolved

  void drop(DropReason r, uint64_t n = 1) noexcept { drops[index_of(r)] += n; }
};

// Totals over all workers (control thread).
struct IoTotals {
  std::array<PortCounters, kMaxPorts> ports{};
  std::array<uint64_t, kDropReasonCount> drops{};
  uint64_t idle_sleeps = 0;
  uint64_t neighbour_held = 0;
  uint64_t neighbour_released = 0;
};

IoTotals sum_counters(std::span<const WorkerIoCounters> workers);

}  // namespace vpngw::dataplane::io
