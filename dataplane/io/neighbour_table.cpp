#include "dataplane/io/neighbour_table.hpp"

#include <rte_byteorder.h>

namespace vpngw::dataplane::io {

namespace {

uint64_t pack(const rte_ether_addr& mac) {
  uint64_t v = 0;
  for (int i = 0; i < RTE_ETHER_ADDR_LEN; ++i) v = (v << 8) | mac.addr_bytes[i];
  return v;
}

void unpack(uint64_t v, rte_ether_addr* mac) {
  for (int i = RTE_ETHER_ADDR_LEN - 1; i >= 0; --i) {
    mac->addr_bytes[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

}  // namespace

NeighbourTable::NeighbourTable() : current_(nullptr), owned_(std::make_unique<Slots>()) {
  current_.store(owned_.get(), std::memory_order_release);
}

NeighbourTable::~NeighbourTable() {
  // Workers are stopped before their tables go away; wait out any reader
  // of a retired copy all the same.
  if (qsbr_ != nullptr && !retired_.empty()) rte_rcu_qsbr_check(qsbr_, retired_.back().token, true);
}

size_t NeighbourTable::slot_of(uint32_t host_order) {
  // Fibonacci hashing: neighbours are often consecutive addresses.
  return static_cast<size_t>((host_order * 2654435761u) >> 20) % kSlots;
}

size_t NeighbourTable::find(const Slots& s, uint32_t v) {
  for (size_t i = slot_of(v), n = 0; n < kSlots; ++n, i = (i + 1) % kSlots) {
    const uint32_t cur = s.ips[i].load(std::memory_order_acquire);
    if (cur == kEmpty) return kSlots;
    if (cur == v) return i;
  }
  return kSlots;
}

// v is known to be absent. Reuses the first tombstone on its probe path.
bool NeighbourTable::insert(Slots& s, uint32_t v, uint64_t word, uint8_t used) {
  for (size_t i = slot_of(v), n = 0; n < kSlots; ++n, i = (i + 1) % kSlots) {
    const uint32_t cur = s.ips[i].load(std::memory_order_relaxed);
    if (cur != kEmpty && cur != kTombstone) continue;
    if (cur == kEmpty) ++s.occupied;
    // MAC and flag first, then the key: a reader that finds the key sees
    // this MAC (or, for a reader of the slot's previous key, re-reads the
    // key after the MAC and sees it changed).
    s.used[i].store(used, std::memory_order_relaxed);
    s.macs[i].store(word, std::memory_order_release);
    s.ips[i].store(v, std::memory_order_release);
    ++s.live;
    return true;
  }
  return false;
}

bool NeighbourTable::learn(Ipv4Addr ip, const rte_ether_addr& mac) {
  const uint32_t v = ip.value;
  if (v == kEmpty || v == kTombstone) return false;
  Slots& s = *owned_;
  const uint64_t word = pack(mac) | kValid;
  if (const size_t slot = find(s, v); slot != kSlots) {
    if (s.macs[slot].load(std::memory_order_relaxed) != word) {
      s.macs[slot].store(word, std::memory_order_release);
      generation_.fetch_add(1, std::memory_order_release);
    }
    return true;
  }
  if (s.live >= kMaxEntries) return false;
  if (s.occupied >= kSlots * 3 / 4) compact();
  if (!insert(*owned_, v, word, 0)) return false;
  generation_.fetch_add(1, std::memory_order_release);
  return true;
}

void NeighbourTable::forget(Ipv4Addr ip) {
  Slots& s = *owned_;
  const size_t slot = find(s, ip.value);
  if (slot == kSlots) return;
  s.ips[slot].store(kTombstone, std::memory_order_release);
  --s.live;
}

bool NeighbourTable::take_used(Ipv4Addr ip) {
  Slots& s = *owned_;
  const size_t slot = find(s, ip.value);
  if (slot == kSlots) return false;
  return s.used[slot].exchange(0, std::memory_order_relaxed) != 0;
}

// A copy without tombstones, published; the old one is freed once no worker
// can still hold it. Without RCU nothing is compacted (nothing may be freed).
void NeighbourTable::compact() {
  if (qsbr_ == nullptr) return;
  auto fresh = std::make_unique<Slots>();
  const Slots& old = *owned_;
  for (size_t i = 0; i < kSlots; ++i) {
    const uint32_t v = old.ips[i].load(std::memory_order_relaxed);
    if (v == kEmpty || v == kTombstone) continue;
    insert(*fresh, v, old.macs[i].load(std::memory_order_relaxed),
           old.used[i].load(std::memory_order_relaxed));
  }
  current_.store(fresh.get(), std::memory_order_release);
  // The token is taken after the swap: its grace period covers every
  // reader that may have loaded the old pointer.
  retired_.push_back({rte_rcu_qsbr_start(qsbr_), std::move(owned_)});
  owned_ = std::move(fresh);
}

void NeighbourTable::reclaim() {
  std::erase_if(retired_, [this](const Retired& r) { return rte_rcu_qsbr_check(qsbr_, r.token, false) == 1; });
}

bool NeighbourTable::lookup(Ipv4Addr ip, rte_ether_addr* mac, bool mark_used) const {
  const uint32_t v = ip.value;
  if (v == kEmpty || v == kTombstone) return false;
  Slots& s = *current_.load(std::memory_order_acquire);
  for (int attempt = 0; attempt < 4; ++attempt) {
    const size_t slot = find(s, v);
    if (slot == kSlots) return false;
    const uint64_t word = s.macs[slot].load(std::memory_order_acquire);
    // The slot may have been emptied and reused meanwhile: the MAC read is
    // ours only if the key is still there after it.
    if (s.ips[slot].load(std::memory_order_relaxed) != v) continue;
    if ((word & kValid) == 0) return false;
    if (mark_used && s.used[slot].load(std::memory_order_relaxed) == 0)
      s.used[slot].store(1, std::memory_order_relaxed);
    unpack(word, mac);
    return true;
  }
  return false;
}

bool NeighbourTable::lookup_be(uint32_t ip_be, rte_ether_addr* mac, bool mark_used) const {
  return lookup(Ipv4Addr{rte_be_to_cpu_32(ip_be)}, mac, mark_used);
}

size_t NeighbourTable::size() const { return owned_->live; }
size_t NeighbourTable::occupied() const { return owned_->occupied; }

}  // namespace vpngw::dataplane::io
