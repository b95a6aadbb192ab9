#include "dataplane/tables/sa_tables.hpp"

#include <rte_byteorder.h>

#include <vector>

#include "dataplane/tables/sa_retire.hpp"
#include "dataplane/tables/tsan_sync.hpp"

namespace vpngw::dataplane {

InboundKey inbound_key(uint32_t spi, Ipv4Addr dst) noexcept {
  return {rte_cpu_to_be_32(spi), rte_cpu_to_be_32(dst.value)};
}

std::unique_ptr<SaTables> SaTables::create(SaTablesConfig config, std::string* error) {
  if (config.workers == 0 || config.workers > kMaxWorkers) {
    *error = "worker count must be 1.." + std::to_string(kMaxWorkers);
    return nullptr;
  }
  auto rcu = Qsbr::create(config.workers, error);
  if (!rcu) return nullptr;
  auto in = InboundTable::create(config.name + "_in", config.inbound_capacity, config.socket_id,
                                 error);
  if (!in) return nullptr;
  auto key_mgr = ImbManager::create(error);
  if (!key_mgr) return nullptr;
  return std::unique_ptr<SaTables>(
      new SaTables(std::move(config), std::move(rcu), std::move(in), std::move(key_mgr)));
}

SaTables::SaTables(SaTablesConfig config, std::unique_ptr<Qsbr> rcu,
                   std::unique_ptr<InboundTable> in, std::unique_ptr<ImbManager> key_mgr)
    : config_(std::move(config)),
      rcu_(std::move(rcu)),
      inbound_(std::move(in)),
      outbound_(config_.outbound_slots),
      key_mgr_(std::move(key_mgr)) {}

SaTables::~SaTables() {
  // The workers have stopped: nothing can hold a retired SA any more.
  for (const Retired& r : retired_) destroy(r);
  std::vector<SaRef<InboundSa>> left;
  inbound_->for_each([&](const InboundKey&, SaRef<InboundSa> ref) { left.push_back(ref); });
  for (SaRef<InboundSa> ref : left) destroy_sa(ref.sa());
  // An SA shared by several slots is destroyed once, with its last slot.
  for (uint32_t slot = 0; slot < outbound_.slots(); ++slot) {
    OutboundSa* sa = outbound_.exchange(slot, {}).sa();
    if (sa == nullptr) continue;
    auto it = out_refs_.find(sa);
    if (it != out_refs_.end() && --it->second > 0) continue;
    out_refs_.erase(sa);
    destroy_sa(sa);
  }
}

bool SaTables::check_owner(uint16_t owner, std::string* error) const {
  if (owner < config_.workers) return true;
  *error = "owner worker " + std::to_string(owner) + " does not exist (" +
           std::to_string(config_.workers) + " workers)";
  return false;
}

bool SaTables::install_inbound(const SaParams& params, uint16_t owner, std::string* error) {
  if (!check_owner(owner, error)) return false;
  // Make before break: the whole object, keys expanded, exists before any
  // worker can see it.
  std::unique_ptr<InboundSa> sa = make_inbound_sa(params, *key_mgr_, error);
  if (!sa) return false;
  tsan_publish(sa.get());
  const InboundKey key = inbound_key(params.spi, params.tunnel_dst);
  SaRef<InboundSa> old;
  bool stored = inbound_->put(key, {sa.get(), owner}, &old);
  if (!stored && !retired_.empty()) {
    // Removed keys keep their hash slots until their grace period ends.
    reclaim_all();
    stored = inbound_->put(key, {sa.get(), owner}, &old);
  }
  if (!stored) {
    *error = "inbound SA table is full (" + std::to_string(inbound_->capacity()) + " SAs)";
    return false;
  }
  sa.release();  // now owned by the table
  // Before the grace period's token: a worker that reports quiescence
  // after this sees the new generation and drops what it cached.
  inbound_generation_.fetch_add(1, std::memory_order_release);
  if (old) retired_.push_back({rcu_->start(), old.sa(), nullptr, -1});
  return true;
}

bool SaTables::install_outbound(uint32_t slot, const SaParams& params, uint16_t owner,
                                std::string* error) {
  return install_outbound(std::span<const uint32_t>(&slot, 1), params, owner, error);
}

bool SaTables::install_outbound(std::span<const uint32_t> slots, const SaParams& params,
                                uint16_t owner, std::string* error) {
  if (!check_owner(owner, error)) return false;
  if (slots.empty()) {
    *error = "an outbound SA needs at least one slot";
    return false;
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i] >= outbound_.slots()) {
      *error = "outbound SA slot " + std::to_string(slots[i]) + " out of range (" +
               std::to_string(outbound_.slots()) + " slots)";
      return false;
    }
    for (size_t j = 0; j < i; ++j)
      if (slots[j] == slots[i]) {
        *error = "outbound SA slot " + std::to_string(slots[i]) + " given twice";
        return false;
      }
  }
  std::unique_ptr<OutboundSa> sa = make_outbound_sa(params, *key_mgr_, error);
  if (!sa) return false;
  tsan_publish(sa.get());
  OutboundSa* shared = sa.release();
  out_refs_[shared] = static_cast<uint32_t>(slots.size());
  // Each slot switches on its own: a packet sees the old or the new SA.
  for (uint32_t slot : slots) {
    const SaRef<OutboundSa> old = outbound_.exchange(slot, {shared, owner});
    if (old) release_outbound(old.sa());
  }
  return true;
}

void SaTables::release_outbound(OutboundSa* sa) {
  auto it = out_refs_.find(sa);
  if (it != out_refs_.end() && --it->second > 0) return;
  if (it != out_refs_.end()) out_refs_.erase(it);
  retired_.push_back({rcu_->start(), nullptr, sa, -1});
}

uint32_t SaTables::outbound_refs(const OutboundSa* sa) const noexcept {
  auto it = out_refs_.find(sa);
  return it == out_refs_.end() ? 0 : it->second;
}

bool SaTables::remove_inbound(uint32_t spi, Ipv4Addr dst) {
  SaRef<InboundSa> old;
  int32_t slot = -1;
  if (!inbound_->erase(inbound_key(spi, dst), &old, &slot)) return false;
  inbound_generation_.fetch_add(1, std::memory_order_release);  // as in install_inbound
  retired_.push_back({rcu_->start(), old.sa(), nullptr, slot});
  return true;
}

bool SaTables::remove_outbound(uint32_t slot) {
  if (slot >= outbound_.slots()) return false;
  const SaRef<OutboundSa> old = outbound_.exchange(slot, {});
  if (!old) return false;
  release_outbound(old.sa());
  return true;
}

const InboundSa* SaTables::find_inbound(uint32_t spi, Ipv4Addr dst) const noexcept {
  return inbound_->lookup(inbound_key(spi, dst)).sa();
}

const OutboundSa* SaTables::find_outbound(uint32_t slot) const noexcept {
  return slot < outbound_.slots() ? outbound_.get(slot).sa() : nullptr;
}

size_t SaTables::reclaim() noexcept {
  // Tokens grow with the queue, so the first one still running ends the scan.
  while (!retired_.empty() && rcu_->passed(retired_.front().token)) {
    destroy(retired_.front());
    retired_.pop_front();
  }
  return retired_.size();
}

void SaTables::reclaim_all() noexcept {
  if (retired_.empty()) return;
  rcu_->synchronize();
  for (const Retired& r : retired_) destroy(r);
  retired_.clear();
}

// The SA is unreachable and its grace period over: no worker holds it.
void SaTables::destroy(const Retired& r) noexcept {
  if (r.in != nullptr) {
    if (config_.on_inbound_retired) config_.on_inbound_retired(*r.in);
    destroy_sa(r.in);
  }
  if (r.out != nullptr) {
    if (config_.on_outbound_retired) config_.on_outbound_retired(*r.out);
    destroy_sa(r.out);
  }
  if (r.key_slot >= 0) inbound_->release_slot(r.key_slot);
}

}  // namespace vpngw::dataplane
