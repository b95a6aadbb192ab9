// Counters of the I/O layer: per port and per drop reason. Each worker owns one
// cache-aligned WorkerIoCounters and is its only writer; the control thread sums
// them on read (a torn read of a counter is impossible on x86-64 for aligned
// 64-bit values, and a slightly stale sum is fine for statistics).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <rte_common.h>

namespace vpngw::dataplane::io {

inline constexpr size_t kMaxPorts = 4;

enum class IoDrop : uint8_t {
  malformed,        // too short for the headers its ethertype/protocol promises
  not_for_us,       // ARP or ICMP for an address the appliance does not own
  no_neighbour,     // next hop has no resolved MAC address yet
  punt_ring_full,   // the control thread is behind: IKE/ARP packet dropped
  no_handler,       // ESP/transit traffic while no forwarding hook is installed
  tx_full,          // the port's TX queue did not take the packet
};

inline constexpr size_t kIoDropCount = static_cast<size_t>(IoDrop::tx_full) + 1;

struct IoDropInfo {
  IoDrop reason;
  std::string_view name;
  std::string_view description;
};

inline constexpr std::array<IoDropInfo, kIoDropCount> kIoDrops{{
    {IoDrop::malformed, "malformed", "truncated header, or bad checksum on a ping to us"},
    {IoDrop::not_for_us, "not_for_us", "ARP or ICMP for an address we do not own"},
    {IoDrop::no_neighbour, "no_neighbour", "next hop MAC address not resolved"},
    {IoDrop::punt_ring_full, "punt_ring_full", "control thread's punt ring is full"},
    {IoDrop::no_handler, "no_handler", "no forwarding stage installed for this traffic"},
    {IoDrop::tx_full, "tx_full", "transmit queue full"},
}};

constexpr size_t index_of(IoDrop r) { return static_cast<size_t>(r); }
constexpr std::string_view name_of(IoDrop r) { return kIoDrops[index_of(r)].name; }

constexpr bool io_drop_table_is_indexed() {
  for (size_t i = 0; i < kIoDrops.size(); ++i)
    if (index_of(kIoDrops[i].reason) != i) return false;
  return true;
}
static_assert(io_drop_table_is_indexed(), "kIoDrops must list reasons in enum order");

struct PortCounters {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t arp_replies_sent = 0;
  uint64_t icmp_replies_sent = 0;
  uint64_t punted = 0;  // IKE and ARP replies handed to the control thread
  uint64_t to_hook = 0;  // handed to the forwarding stages
};

struct alignas(RTE_CACHE_LINE_SIZE) WorkerIoCounters {
  std::array<PortCounters, kMaxPorts> ports{};
  std::array<uint64_t, kIoDropCount> drops{};
  uint64_t polls = 0;
  uint64_t empty_polls = 0;
  uint64_t idle_sleeps = 0;      // how many times the worker slept
  uint64_t current_sleep_us = 0;  // 0 while the worker is busy

  void drop(IoDrop r, uint64_t n = 1) { drops[index_of(r)] += n; }
};

// Totals over all workers (control thread).
struct IoTotals {
  std::array<PortCounters, kMaxPorts> ports{};
  std::array<uint64_t, kIoDropCount> drops{};
  uint64_t idle_sleeps = 0;
};

IoTotals sum_counters(std::span<const WorkerIoCounters> workers);

}  // namespace vpngw::dataplane::io
