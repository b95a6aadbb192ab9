// Persistence of the resource model. The service commits every change here
// before it acknowledges the request, so an acknowledged change survives a
// crash. Implementations: SqliteStore (production), MemoryStore (tests).
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "control/api_error.hpp"
#include "control/model.hpp"

namespace vpngw {

enum class ResourceKind : uint8_t { vpc, gateway, customer_gateway, tunnel, route, static_sa };

using AnyResource = std::variant<Vpc, VpnGateway, CustomerGateway, Tunnel, Route, StaticSa>;

// A set of writes applied atomically: all of them or none.
struct ChangeSet {
  std::vector<AnyResource> puts;  // insert or replace by id
  std::vector<std::pair<ResourceKind, std::string>> deletes;
  bool empty() const { return puts.empty() && deletes.empty(); }
};

// Applies a change set to an in-memory snapshot (puts replace by id).
void apply_change_set(ResourceSnapshot& snapshot, const ChangeSet& changes);

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<ResourceSnapshot> load() = 0;
  // Durable on return (the transaction is synced); on error nothing changed.
  virtual Status commit(const ChangeSet& changes) = 0;
};

// Keeps everything in memory; for unit tests of the service. Can be told to
// fail the next commit, to prove that a failed commit leaves nothing applied.
class MemoryStore final : public Store {
 public:
  Result<ResourceSnapshot> load() override { return snapshot_; }
  Status commit(const ChangeSet& changes) override;
  void fail_next_commit() { fail_next_ = true; }
  const ResourceSnapshot& snapshot() const { return snapshot_; }

 private:
  ResourceSnapshot snapshot_;
  bool fail_next_ = false;
};

}  // namespace vpngw
