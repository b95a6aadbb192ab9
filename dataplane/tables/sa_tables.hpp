// The SA tables of the dataplane and the only code that changes them.
//
// One inbound hash and one outbound slot array, shared by all workers and
// written only by the control thread (STYLE.md section 8, second row):
// workers read without locks and report quiescent states; the control thread
// builds every new SA completely (keys expanded with its own IPsec-MB
// manager) before publishing it, and frees a replaced or removed SA only
// after a grace period, wiping its keys and poisoning its memory. Changes
// never wait for workers: a replaced or removed SA joins a retire queue,
// which the control thread's timer drains with reclaim().
//
// "Per worker" is about the mutable half of each SA: every SA carries one
// owner worker (SaRef), and only that worker draws its sequence numbers and
// advances its replay window; a packet that lands on another worker goes to
// the owner through HandoffRings. docs/sa_tables.md has the whole design.
#pragma once

#include <rte_memory.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "common/net.hpp"
#include "dataplane/imb_manager.hpp"
#include "dataplane/sa_params.hpp"
#include "dataplane/sa_runtime.hpp"
#include "dataplane/tables/inbound_table.hpp"
#include "dataplane/tables/outbound_table.hpp"
#include "dataplane/tables/qsbr.hpp"
#include "dataplane/tables/sa_ref.hpp"

namespace vpngw::dataplane {

struct SaTablesConfig {
  std::string name = "vpngw_sa";  // prefix of DPDK object names, unique in the process
  uint32_t workers = 1;           // 1..kMaxWorkers; worker ids are 0..workers-1
  uint32_t inbound_capacity = 4096;
  uint32_t outbound_slots = 4096;
  int socket_id = SOCKET_ID_ANY;
  // Called on the control thread just before a retired SA is destroyed
  // (after its grace period), e.g. to fold its counters into the tunnel's.
  std::function<void(const InboundSa&)> on_inbound_retired;
  std::function<void(const OutboundSa&)> on_outbound_retired;
};

// The inbound key of an SA as the control plane names it.
InboundKey inbound_key(uint32_t spi, Ipv4Addr dst) noexcept;

class SaTables {
 public:
  // Returns null with the reason in `error`. Control thread.
  static std::unique_ptr<SaTables> create(SaTablesConfig config, std::string* error);
  // Destroys every SA still installed; the workers must have stopped.
  ~SaTables();
  SaTables(const SaTables&) = delete;
  SaTables& operator=(const SaTables&) = delete;

  // --- control thread only ---
  // Installs or replaces the inbound SA keyed by (params.spi, params.tunnel_dst),
  // owned by worker `owner`. A replacement is a new object: its replay window
  // starts from params.start_seq. On failure nothing changes.
  bool install_inbound(const SaParams& params, uint16_t owner, std::string* error);
  // Installs or replaces the outbound SA of `slot`, owned by worker `owner`.
  bool install_outbound(uint32_t slot, const SaParams& params, uint16_t owner,
                        std::string* error);
  // Installs ONE new outbound SA (one sequence-number counter, one owner) in
  // every slot of `slots`: a CHILD_SA that serves several SPD pairs. Each
  // slot switches atomically (make-before-break per slot); an SA a slot
  // held before loses that slot's reference and is retired when no slot
  // holds it any more. On failure nothing changes.
  bool install_outbound(std::span<const uint32_t> slots, const SaParams& params, uint16_t owner,
                        std::string* error);
  // Unlinks and queues for retirement. Return false when nothing was there.
  // remove_outbound empties one slot; the SA is retired once no slot holds it.
  bool remove_inbound(uint32_t spi, Ipv4Addr dst);
  bool remove_outbound(uint32_t slot);
  // How many slots hold `sa` (0: not installed). Control thread.
  uint32_t outbound_refs(const OutboundSa* sa) const noexcept;

  // Destroys the queued SAs whose grace period has passed (in queue order)
  // and returns how many still wait. Never blocks: call it periodically.
  size_t reclaim() noexcept;
  // Waits for the grace period of everything queued, then destroys it all.
  void reclaim_all() noexcept;
  size_t retiring() const noexcept { return retired_.size(); }

  // What is installed now; valid until the control thread's next change.
  const InboundSa* find_inbound(uint32_t spi, Ipv4Addr dst) const noexcept;
  const OutboundSa* find_outbound(uint32_t slot) const noexcept;
  uint32_t inbound_count() const noexcept { return inbound_->size(); }

  // --- workers (see Qsbr for the quiescent-state rules) ---
  Qsbr& rcu() noexcept { return *rcu_; }
  const InboundTable& inbound() const noexcept { return *inbound_; }
  // Grows with every inbound install, replacement and removal, before the
  // replaced or removed SA's grace period starts. A worker that caches
  // inbound lookups (forward/spi_cache.hpp) clears its cache when this
  // moves: the RCU token it reports with orders this increment before its
  // next read, so it never uses a cached SA past that SA's grace period.
  uint64_t inbound_generation() const noexcept {
    return inbound_generation_.load(std::memory_order_acquire);
  }
  const OutboundTable& outbound() const noexcept { return outbound_; }
  uint32_t workers() const noexcept { return config_.workers; }

 private:
  SaTables(SaTablesConfig config, std::unique_ptr<Qsbr> rcu, std::unique_ptr<InboundTable> in,
           std::unique_ptr<ImbManager> key_mgr);

  // An SA no worker can find any more, but one may still hold.
  struct Retired {
    uint64_t token;  // the grace period that must pass first
    InboundSa* in = nullptr;
    OutboundSa* out = nullptr;
    int32_t key_slot = -1;  // inbound hash key slot to give back, or -1
  };

  bool check_owner(uint16_t owner, std::string* error) const;
  void destroy(const Retired& r) noexcept;
  // A slot stopped holding `sa`: one reference fewer, retired at zero.
  void release_outbound(OutboundSa* sa);

  SaTablesConfig config_;
  std::unique_ptr<Qsbr> rcu_;
  std::unique_ptr<InboundTable> inbound_;
  OutboundTable outbound_;
  std::unique_ptr<ImbManager> key_mgr_;  // the control thread's, for key expansion only
  std::deque<Retired> retired_;          // oldest grace period first
  std::atomic<uint64_t> inbound_generation_{1};
  // Slots holding each installed outbound SA (control thread only; workers
  // never see the count: they only load slots).
  std::unordered_map<const OutboundSa*, uint32_t> out_refs_;
};

}  // namespace vpngw::dataplane
