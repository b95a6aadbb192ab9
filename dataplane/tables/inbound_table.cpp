#include "dataplane/tables/inbound_table.hpp"

#include <rte_errno.h>
#include <rte_hash_crc.h>

#include <array>

#include "dataplane/tables/tsan_sync.hpp"

namespace vpngw::dataplane {

std::unique_ptr<InboundTable> InboundTable::create(const std::string& name, uint32_t capacity,
                                                   int socket_id, std::string* error) {
  if (capacity == 0) {
    *error = "inbound SA table capacity must be at least 1";
    return nullptr;
  }
  rte_hash_parameters params{};
  params.name = name.c_str();
  // rte_hash cannot always fill every bucket; a little headroom keeps the
  // promised capacity reachable.
  params.entries = capacity + capacity / 8 + 8;
  params.key_len = sizeof(InboundKey);
  params.hash_func = rte_hash_crc;
  params.hash_func_init_val = 0;
  params.socket_id = socket_id;
  // Lock-free readers; single writer (the control thread), so neither the
  // multi-writer flag nor the reader-writer lock. LF mode implies that a
  // deleted key's slot is kept until release_slot().
  params.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
  rte_hash* hash = rte_hash_create(&params);
  if (hash == nullptr) {
    *error = "rte_hash_create(" + name + "): " + rte_strerror(rte_errno);
    return nullptr;
  }
  return std::unique_ptr<InboundTable>(new InboundTable(hash, capacity));
}

InboundTable::~InboundTable() { rte_hash_free(hash_); }

SaRef<InboundSa> InboundTable::lookup(const InboundKey& key) const noexcept {
  void* data = nullptr;
  if (rte_hash_lookup_data(hash_, &key, &data) < 0) return {};
  const auto ref = SaRef<InboundSa>::from_bits(reinterpret_cast<uintptr_t>(data));
  tsan_acquire(ref.sa());
  return ref;
}

void InboundTable::lookup_burst(const InboundKey* const* keys, uint32_t n,
                                SaRef<InboundSa>* out) const noexcept {
  std::array<void*, kInboundLookupBurst> data;
  uint64_t hits = 0;
  // rte_hash takes `const void**` though it only reads the keys.
  auto** key_ptrs = const_cast<const void**>(reinterpret_cast<const void* const*>(keys));
  rte_hash_lookup_bulk_data(hash_, key_ptrs, n, &hits, data.data());
  for (uint32_t i = 0; i < n; ++i) {
    out[i] = (hits >> i) & 1 ? SaRef<InboundSa>::from_bits(reinterpret_cast<uintptr_t>(data[i]))
                             : SaRef<InboundSa>{};
    if (out[i]) tsan_acquire(out[i].sa());
  }
}

bool InboundTable::put(const InboundKey& key, SaRef<InboundSa> ref,
                       SaRef<InboundSa>* old) noexcept {
  // The control thread is the only writer, so what it reads here is what
  // the add below replaces.
  *old = lookup(key);
  if (!*old && size() >= capacity_) return false;
  return rte_hash_add_key_data(hash_, &key, reinterpret_cast<void*>(ref.bits())) == 0;
}

bool InboundTable::erase(const InboundKey& key, SaRef<InboundSa>* old, int32_t* slot) noexcept {
  *old = lookup(key);
  const int32_t pos = rte_hash_del_key(hash_, &key);
  if (pos < 0) return false;
  *slot = pos;
  return true;
}

void InboundTable::release_slot(int32_t slot) noexcept {
  rte_hash_free_key_with_position(hash_, slot);
}

uint32_t InboundTable::size() const noexcept {
  const int32_t n = rte_hash_count(hash_);
  return n < 0 ? 0 : static_cast<uint32_t>(n);
}

}  // namespace vpngw::dataplane
