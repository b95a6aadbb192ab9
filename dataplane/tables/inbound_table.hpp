// Inbound SAs by (SPI, outer destination address): an rte_hash in lock-free
// read mode (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF). Workers look up whole
// bursts without any lock or atomic read-modify-write; the control thread is
// the only writer (so no multi-writer flag), and replacing a key's value is a
// single atomic store of its SaRef. Freed key slots are only reused after a
// grace period: rte_hash in LF mode keeps a deleted key's slot until the
// writer calls release_slot(), which SaTables does after Qsbr::synchronize().
//
// The table stores references; it owns neither the SA objects nor their
// lifetime (SaTables does).
#pragma once

#include <rte_hash.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

#include "dataplane/sa_runtime.hpp"
#include "dataplane/tables/sa_ref.hpp"

namespace vpngw::dataplane {

// Both fields in network byte order, exactly as they sit in the packet, so a
// worker builds the key with two loads. No padding: the hash covers all bytes.
struct InboundKey {
  uint32_t spi_be = 0;
  uint32_t dst_be = 0;
};
static_assert(sizeof(InboundKey) == 8 && std::has_unique_object_representations_v<InboundKey>);

// Largest burst lookup_burst() takes in one call.
inline constexpr uint32_t kInboundLookupBurst = RTE_HASH_LOOKUP_BULK_MAX;

class InboundTable {
 public:
  // `name` must be unique among the process's DPDK hashes.
  static std::unique_ptr<InboundTable> create(const std::string& name, uint32_t capacity,
                                              int socket_id, std::string* error);
  ~InboundTable();
  InboundTable(const InboundTable&) = delete;
  InboundTable& operator=(const InboundTable&) = delete;

  // --- workers (any number, concurrently with the writer) ---
  SaRef<InboundSa> lookup(const InboundKey& key) const noexcept;
  // out[i] is the SA of *keys[i], or an empty SaRef; n <= kInboundLookupBurst.
  void lookup_burst(const InboundKey* const* keys, uint32_t n,
                    SaRef<InboundSa>* out) const noexcept;

  // --- control thread only ---
  // Inserts or replaces; `*old` receives what the key held before (empty if
  // nothing). Returns false when the table is full.
  bool put(const InboundKey& key, SaRef<InboundSa> ref, SaRef<InboundSa>* old) noexcept;
  // Unlinks the key; readers may still hold the old reference. Returns false
  // when the key is absent. `*slot` must be passed to release_slot() after a
  // grace period.
  bool erase(const InboundKey& key, SaRef<InboundSa>* old, int32_t* slot) noexcept;
  void release_slot(int32_t slot) noexcept;
  uint32_t size() const noexcept;
  uint32_t capacity() const noexcept { return capacity_; }

  // Visits every entry (control thread; nothing may modify the table meanwhile).
  template <class Visit>
  void for_each(Visit&& visit) const {
    const void* key = nullptr;
    void* data = nullptr;
    uint32_t next = 0;
    while (rte_hash_iterate(hash_, &key, &data, &next) >= 0) {
      visit(*static_cast<const InboundKey*>(key),
            SaRef<InboundSa>::from_bits(reinterpret_cast<uintptr_t>(data)));
    }
  }

 private:
  InboundTable(rte_hash* hash, uint32_t capacity) : hash_(hash), capacity_(capacity) {}

  rte_hash* hash_;
  uint32_t capacity_;
};

}  // namespace vpngw::dataplane
