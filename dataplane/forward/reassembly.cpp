// rte_ip_frag_table_del_expired_entries is marked experimental in DPDK
// 22.11; without it a timed-out packet's fragments stay held until another
// packet hashes to their bucket.
#define ALLOW_EXPERIMENTAL_API
#include "dataplane/forward/reassembly.hpp"

#include <rte_ether.h>

namespace vpngw::dataplane::forward {

namespace {
// Packets hash into buckets of this many entries (rte_ip_frag's maximum
// associativity is 16); kMaxPackets / kBucketEntries buckets.
constexpr uint32_t kBucketEntries = 8;
}  // namespace

std::unique_ptr<OuterReassembly> OuterReassembly::create(uint64_t clock_hz, int socket,
                                                         std::string* error) {
  const uint64_t timeout = clock_hz * static_cast<uint64_t>(kTimeout.count());
  rte_ip_frag_tbl* table = rte_ip_frag_table_create(kMaxPackets / kBucketEntries, kBucketEntries,
                                                    kMaxPackets, timeout, socket);
  if (table == nullptr) {
    *error = "cannot allocate the IPv4 reassembly table";
    return nullptr;
  }
  return std::unique_ptr<OuterReassembly>(new OuterReassembly(table));
}

OuterReassembly::~OuterReassembly() {
  // Frees every mbuf still held by the table.
  rte_ip_frag_table_destroy(table_);
  rte_ip_frag_free_death_row(&dead_, 0);
}

rte_mbuf* OuterReassembly::add(rte_mbuf* m, rte_ipv4_hdr* ip, uint64_t now) noexcept {
  m->l2_len = sizeof(rte_ether_hdr);
  m->l3_len = rte_ipv4_hdr_len(ip);
  rte_mbuf* whole = rte_ipv4_frag_reassemble_packet(table_, &dead_, m, now, ip);
  if (whole == nullptr) return nullptr;
  // The ESP core reads one contiguous buffer; a packet that does not fit
  // one mbuf is not one this gateway's peers send on a 1500-byte path.
  if (rte_pktmbuf_linearize(whole) != 0) {
    given_up_ += whole->nb_segs;  // counted as drops by release()
    rte_pktmbuf_free(whole);
    return nullptr;
  }
  auto* out = rte_pktmbuf_mtod_offset(whole, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  // rte_ip_frag leaves the checksum to a NIC offload; ours is computed.
  out->hdr_checksum = 0;
  out->hdr_checksum = rte_ipv4_cksum(out);
  ++reassembled_;
  return whole;
}

void OuterReassembly::release(io::WorkerContext& worker, uint64_t now) noexcept {
  rte_ip_frag_table_del_expired_entries(table_, &dead_, now);
  for (uint32_t k = 0; k < dead_.cnt + given_up_; ++k) worker.counters->drop(DropReason::fragmented);
  given_up_ = 0;
  rte_ip_frag_free_death_row(&dead_, 0);
}

}  // namespace vpngw::dataplane::forward
