// Reassembly of outer IPv4 fragments on the public port: a peer whose
// stack fragments ESP after encryption (Linux does when the path MTU is
// below the ESP packet and DF is clear) sends a packet the ESP core cannot
// open until it is whole again. One table per worker (DPDK's rte_ip_frag:
// no locks, no allocation on the packet path; held fragments are mbufs of
// the port's pool). Fragments of one packet reach one worker because RSS
// hashes the outer addresses only.
//
// Bounds, so that a fragment flood cannot take the mbuf pool: at most
// kMaxPackets packets in reassembly per worker, each of at most
// RTE_LIBRTE_IP_FRAG_MAX_FRAG (8) fragments, dropped after kTimeout; a
// packet that ends up larger than one mbuf's data room is dropped too (a
// 1500-byte path gives ESP packets far below the 2 KB room).
#pragma once

#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "dataplane/drop_reason.hpp"
#include "dataplane/io/worker.hpp"

namespace vpngw::dataplane::forward {

class OuterReassembly {
 public:
  static constexpr uint32_t kMaxPackets = 128;
  static constexpr std::chrono::seconds kTimeout{3};

  // `clock_hz`: the rate of the clock later passed as `now` (the TSC in
  // production). Control path: allocates the table on `socket`.
  static std::unique_ptr<OuterReassembly> create(uint64_t clock_hz, int socket, std::string* error);
  ~OuterReassembly();
  OuterReassembly(const OuterReassembly&) = delete;
  OuterReassembly& operator=(const OuterReassembly&) = delete;

  static bool is_fragment(const rte_ipv4_hdr* ip) noexcept {
    return rte_ipv4_frag_pkt_is_fragmented(ip) != 0;
  }

  // Takes one fragment (data at its Ethernet header, IPv4 header `ip`).
  // Returns the whole packet in one segment, data at the Ethernet header,
  // IPv4 header rewritten (length, no fragment bits, checksum), when this
  // fragment completed it; null when the fragment is held or was dropped.
  rte_mbuf* add(rte_mbuf* m, rte_ipv4_hdr* ip, uint64_t now) noexcept;

  // Frees the fragments of packets that timed out or could not be
  // reassembled and counts them, with those add() gave up on, as
  // `fragmented` drops of `worker`. Once per burst that saw fragments.
  void release(io::WorkerContext& worker, uint64_t now) noexcept;

  uint64_t reassembled() const noexcept { return reassembled_; }

 private:
  OuterReassembly(rte_ip_frag_tbl* table) : table_(table) {}

  rte_ip_frag_tbl* table_;
  rte_ip_frag_death_row dead_{};
  uint32_t given_up_ = 0;  // fragments of whole packets too big for one mbuf, freed by add()
  uint64_t reassembled_ = 0;
};

}  // namespace vpngw::dataplane::forward
