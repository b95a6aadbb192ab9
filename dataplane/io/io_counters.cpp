#include "dataplane/io/io_counters.hpp"

namespace vpngw::dataplane::io {

IoTotals sum_counters(std::span<const WorkerIoCounters> workers) {
  IoTotals t;
  for (const WorkerIoCounters& w : workers) {
    for (size_t p = 0; p < kMaxPorts; ++p) {
      const PortCounters& src = w.ports[p];
      PortCounters& dst = t.ports[p];
      dst.rx_packets += src.rx_packets;
      dst.rx_bytes += src.rx_bytes;
      dst.tx_packets += src.tx_packets;
      dst.tx_bytes += src.tx_bytes;
      dst.arp_replies_sent += src.arp_replies_sent;
      dst.icmp_replies_sent += src.icmp_replies_sent;
      dst.punted += src.punted;
      dst.to_hook += src.to_hook;
      dst.arp_observations_lost += src.arp_observations_lost;
    }
    for (size_t r = 0; r < kDropReasonCount; ++r) t.drops[r] += w.drops[r];
    t.idle_sleeps += w.idle_sleeps;
    t.neighbour_held += w.neighbour_held;
    t.neighbour_released += w.neighbour_released;
  }
  return t;
}

}  // namespace vpngw::dataplane::io
